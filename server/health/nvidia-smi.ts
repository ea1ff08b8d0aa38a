// GPU figures from nvidia-smi, when Offload runs on the GPU host and the tool exists. Ollama's API
// does not report them; without nvidia-smi the answer is null ("not available"), never zeros.
import { execFile } from "node:child_process";

export type GpuReading = {
  name: string;
  memoryUsedMb: number;
  memoryTotalMb: number;
  utilizationPercent: number;
  temperatureC: number;
  powerW: number | null;
};

const QUERY = "name,memory.used,memory.total,utilization.gpu,temperature.gpu,power.draw";

function parseNvidiaSmi(csv: string): GpuReading[] {
  return csv
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [name, used, total, util, temp, power] = line.split(",").map((f) => f.trim());
      const num = (v: string | undefined) =>
        v === undefined || v === "" || /N\/A|Not Supported/i.test(v) ? null : Number(v);
      return {
        name: name ?? "GPU",
        memoryUsedMb: num(used) ?? 0,
        memoryTotalMb: num(total) ?? 0,
        utilizationPercent: num(util) ?? 0,
        temperatureC: num(temp) ?? 0,
        powerW: num(power),
      };
    });
}

export function readNvidiaSmi(timeoutMs = 2_000): Promise<GpuReading[] | null> {
  return new Promise((resolve) => {
    execFile(
      "nvidia-smi",
      [`--query-gpu=${QUERY}`, "--format=csv,noheader,nounits"],
      { timeout: timeoutMs },
      (err, stdout) => {
        if (err) return resolve(null);
        try {
          resolve(parseNvidiaSmi(stdout));
        } catch {
          resolve(null);
        }
      },
    );
  });
}
