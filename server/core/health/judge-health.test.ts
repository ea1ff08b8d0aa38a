import { describe, expect, it } from "vitest";
import { judgeHealth, type HealthThresholds, type LoadedModel, type LocalTurnStats, type Probe } from "./judge-health";

const GB = 1024 ** 3;
const t: HealthThresholds = {
  localModels: ["qwen3:8b"],
  gpuVramGb: 12,
  minTokensPerSecond: 20,
  maxErrorRate: 0.05,
  maxP95Seconds: 60,
  localKeepAliveMinutes: 30,
};
const quiet: LocalTurnStats = {
  turns: 0,
  failed: 0,
  p95LatencyMs: null,
  tokensPerSecondP50: null,
  coldLoadsLastHour: 0,
};
const up = (loaded: LoadedModel[] = []): Probe => ({
  ok: true,
  version: "0.14.2",
  installed: [{ name: "qwen3:8b", size: 5 * GB }],
  loaded,
  responseMs: 3,
});
const HOST = "http://gpu:11434";

describe("judgeHealth", () => {
  it("is up with the model installed and fully on the GPU", () => {
    expect(
      judgeHealth(
        up([{ name: "qwen3:8b", size: 6 * GB, sizeVram: 6 * GB, expiresAt: null, contextLength: 16384 }]),
        quiet,
        t,
        HOST,
      ),
    ).toMatchObject({ status: "up", reasons: [] });
  });

  it("is degraded with the CPU share when the model is half on the GPU", () => {
    const v = judgeHealth(
      up([{ name: "qwen3:8b", size: 6 * GB, sizeVram: 3 * GB, expiresAt: null, contextLength: null }]),
      quiet,
      t,
      HOST,
    );
    expect(v.status).toBe("degraded");
    expect(v.reasons[0]).toContain("50% of it runs on the CPU");
  });

  it("is degraded when under 10% of the GPU memory is left", () => {
    const v = judgeHealth(
      up([{ name: "qwen3:8b", size: 11 * GB, sizeVram: 11 * GB, expiresAt: null, contextLength: null }]),
      quiet,
      t,
      HOST,
    );
    expect(v.reasons[0]).toContain("11.0 of 12 GB");
  });

  it("is down with the pull command when the model is missing", () => {
    const v = judgeHealth({ ...up(), installed: [{ name: "llama3:8b", size: 1 }] } as Probe, quiet, t, HOST);
    expect(v).toMatchObject({ status: "down" });
    expect(v.reasons[0]).toContain("ollama pull qwen3:8b");
  });

  it("names how a poll failed", () => {
    expect(
      judgeHealth({ ok: false, failure: { kind: "refused", message: "ECONNREFUSED" }, responseMs: 1 }, quiet, t, HOST)
        .reasons[0],
    ).toContain("connection refused at http://gpu:11434");
    expect(
      judgeHealth({ ok: false, failure: { kind: "http", status: 500, message: "boom" }, responseMs: 1 }, quiet, t, HOST)
        .reasons[0],
    ).toBe("Ollama answered HTTP 500: boom");
    expect(
      judgeHealth({ ok: false, failure: { kind: "timeout", message: "" }, responseMs: 1 }, quiet, t, HOST).status,
    ).toBe("down");
  });

  it("is degraded by slow generation, failing turns or slow turns, with enough turns to judge", () => {
    expect(judgeHealth(up(), { ...quiet, turns: 10, tokensPerSecondP50: 12.5 }, t, HOST).reasons[0]).toContain(
      "12.5 tokens/s, below 20",
    );
    expect(judgeHealth(up(), { ...quiet, turns: 20, failed: 2 }, t, HOST).reasons[0]).toContain(
      "10% of the last 15 minutes' local turns failed (2 of 20)",
    );
    expect(judgeHealth(up(), { ...quiet, turns: 3, failed: 2 }, t, HOST).status).toBe("up"); // too few to judge
    expect(judgeHealth(up(), { ...quiet, turns: 10, p95LatencyMs: 90_000 }, t, HOST).reasons[0]).toContain(
      "p95 latency is 90.0 s",
    );
  });

  it("uses the probe's speed when no local turns ran, and notes cold loads without changing the status", () => {
    const v = judgeHealth(up(), { ...quiet, coldLoadsLastHour: 3 }, t, HOST, 45);
    expect(v).toMatchObject({ status: "up", tokensPerSecond: 45, speedSource: "probe" });
    expect(v.notes[0]).toContain("raise the keep-alive (now 30 min)");
  });
});
