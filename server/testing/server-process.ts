// Finds `npm start`'s server process by its data folder, through /proc (Linux): the memory bench
// samples its resident memory, and the serve test reads the memory settings it was started with.
import fs from "node:fs";

/** The server's process (serve-main.ts, started with this data folder) and `npm start`'s script, its parent. */
export function findServerProcesses(dataDir: string): { server: number; start: number } {
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (!cmdline.includes("serve-main.ts")) continue;
      const environ = fs.readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (!environ.includes(`OFFLOAD_DATA_DIR=${dataDir}`)) continue;
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return { server: Number(name), start: ppid };
    } catch {
      // a process that ended or is not ours
    }
  }
  throw new Error(`no server process found for ${dataDir}`);
}
