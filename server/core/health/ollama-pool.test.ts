import { describe, expect, it } from "vitest";
import { judgeHealth, type HealthThresholds, type LocalTurnStats, type Probe } from "./judge-health";
import { describeNoHost, judgePool, rankHosts, type HostCandidate, type HostPoll } from "./ollama-pool";

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
const answering = (installed = ["qwen3:8b"], loaded: string[] = []): Probe => ({
  ok: true,
  version: "0.14.2",
  installed: installed.map((name) => ({ name, size: 5 * GB })),
  loaded: loaded.map((name) => ({ name, size: 6 * GB, sizeVram: 6 * GB, expiresAt: null, contextLength: 32768 })),
  responseMs: 4,
});
const refused: Probe = { ok: false, failure: { kind: "refused", message: "ECONNREFUSED" }, responseMs: 1 };
const poll = (host: string, probe: Probe, stats: LocalTurnStats = quiet): HostPoll => ({
  host,
  probe,
  stats,
  probeTokensPerSecond: null,
  inFlight: 0,
});

describe("judgePool", () => {
  it("with one host is exactly the single server's verdict", () => {
    for (const probe of [answering(), refused, answering(["llama3:8b"])]) {
      const stats = { ...quiet, turns: 10, failed: 3 };
      const pool = judgePool([poll("http://gpu:11434", probe)], stats, t);
      const single = judgeHealth(probe, stats, t, "http://gpu:11434");
      expect(pool).toMatchObject(single);
      expect(pool.hosts).toHaveLength(1);
      expect(pool.hosts[0]).toMatchObject({ host: "http://gpu:11434", status: single.status });
    }
  });

  it("is up while one host is, naming the host that is down in its notes", () => {
    const v = judgePool([poll("http://a:11434", answering([], [])), poll("http://b:11434", refused)], quiet, {
      ...t,
      localModels: [],
    });
    expect(v.status).toBe("up");
    expect(v.reasons).toEqual([]);
    expect(v.notes[0]).toBe("1 of 2 Ollama hosts answer");
    expect(v.notes[1]).toContain("http://b:11434: connection refused at http://b:11434");
    expect(v.hosts.map((h) => h.status)).toEqual(["up", "down"]);
  });

  it("is down when no host answers, with every host's reason", () => {
    const v = judgePool([poll("http://a:11434", refused), poll("http://b:11434", refused)], quiet, t);
    expect(v.status).toBe("down");
    expect(v.reasons).toHaveLength(2);
    expect(v.reasons[1]).toMatch(/^http:\/\/b:11434: /);
  });

  it("notes a model no answering host has, and the hosts without it, and stays up for the other models", () => {
    const v = judgePool(
      [
        poll("http://a:11434", answering(["llama3:8b"])),
        poll("http://b:11434", answering(["qwen3:8b"])),
        poll("http://c:11434", refused),
      ],
      quiet,
      { ...t, localModels: ["qwen3:8b", "mistral:7b"] },
    );
    expect(v.status).toBe("up");
    expect(v.notes).toContain(
      "the local model mistral:7b is not installed on any Ollama host that answers (its turns go to Claude): run `ollama pull mistral:7b` on one",
    );
    expect(v.notes).toContain("http://a:11434: qwen3:8b is not installed here");
    // A host without one of the fleet's models is not down for that: it serves the others.
    expect(v.hosts[0]!.status).toBe("up");
  });

  it("is degraded when every answering host is, and judges each host on its own turns", () => {
    const slow = { ...quiet, turns: 20, tokensPerSecondP50: 8 };
    const fast = { ...quiet, turns: 20, tokensPerSecondP50: 60 };
    const v = judgePool([poll("http://a:11434", answering(), slow), poll("http://b:11434", refused)], slow, t);
    expect(v.status).toBe("degraded");
    expect(v.reasons[0]).toBe("http://a:11434: local generation runs at 8.0 tokens/s, below 20 tokens/s");
    const mixed = judgePool(
      [poll("http://a:11434", answering(), slow), poll("http://b:11434", answering(), fast)],
      { ...quiet, turns: 40, tokensPerSecondP50: 30 },
      t,
    );
    expect(mixed.status).toBe("up");
    expect(mixed.hosts.map((h) => [h.status, h.tokensPerSecond])).toEqual([
      ["degraded", 8],
      ["up", 60],
    ]);
    expect(mixed.tokensPerSecond).toBe(30);
  });

  it("keeps each host's loaded models and the GPU memory they take", () => {
    const v = judgePool(
      [poll("http://a:11434", answering(["qwen3:8b"], ["qwen3:8b"])), poll("http://b:11434", answering())],
      quiet,
      t,
    );
    expect(v.hosts[0]).toMatchObject({ vramUsedBytes: 6 * GB, version: "0.14.2", responseMs: 4 });
    expect(v.hosts[0]!.loaded.map((m) => m.name)).toEqual(["qwen3:8b"]);
    expect(v.hosts[1]!.vramUsedBytes).toBe(0);
  });
});

const host = (name: string, over: Partial<HostCandidate> = {}): HostCandidate => ({
  host: name,
  status: "up",
  loaded: [],
  installed: ["qwen3:8b"],
  inFlight: 0,
  failedRecently: false,
  ...over,
});

describe("rankHosts", () => {
  it("puts a host with the model loaded first, then installed, least in flight first", () => {
    const r = rankHosts(
      [
        host("a", { inFlight: 0 }),
        host("b", { loaded: ["qwen3:8b"], inFlight: 3 }),
        host("c", { loaded: ["qwen3:8b:latest".replace(":latest", "")], inFlight: 1 }),
        host("d", { inFlight: 0, status: "degraded" }),
      ],
      "qwen3:8b",
    );
    expect(r.order).toEqual(["c", "b", "a", "d"]);
  });

  it("leaves out down hosts and hosts without the model, saying why", () => {
    const r = rankHosts([host("a", { status: "down" }), host("b", { installed: ["llama3:8b"] })], "qwen3:8b");
    expect(r.order).toEqual([]);
    expect(r.skipped).toEqual([
      { host: "a", why: "down" },
      { host: "b", why: "qwen3:8b is not installed" },
    ]);
    expect(describeNoHost(r, "qwen3:8b")).toBe(
      "no Ollama host can serve qwen3:8b (a: down; b: qwen3:8b is not installed)",
    );
    expect(describeNoHost(rankHosts([host("a", { status: "down" })], "x"), "x")).toBe("every Ollama host is down");
    expect(describeNoHost(rankHosts([host("a", { installed: [] })], "x"), "x")).toBe("no Ollama host has x installed");
  });

  it("tries hosts not polled yet in their configured order, and hosts that just failed last", () => {
    const r = rankHosts(
      [
        host("a", { failedRecently: true, loaded: ["qwen3:8b"] }),
        host("b", { status: "unknown", installed: null, loaded: null }),
        host("c", { status: "unknown", installed: null, loaded: null }),
      ],
      "qwen3:8b",
    );
    expect(r.order).toEqual(["b", "c", "a"]);
  });

  it("matches a model with or without its :latest tag", () => {
    expect(rankHosts([host("a", { installed: ["llama3:latest"] })], "llama3").order).toEqual(["a"]);
  });
});
