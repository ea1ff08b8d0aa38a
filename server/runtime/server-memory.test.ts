// npm start's memory settings for the server process: V8's heap flags and glibc's malloc variables
// apply unless the operator set them (docs/benchmarks.md, Memory). serve.test.ts checks that the
// running server has them.
import { describe, expect, it } from "vitest";
import { serverMallocEnv, serverNodeFlags } from "./server-memory.mjs";

describe("the server's memory settings", () => {
  it("caps V8's heap unless NODE_OPTIONS sets either flag", () => {
    expect(serverNodeFlags()).toEqual(["--max-old-space-size=1024", "--max-semi-space-size=8"]);
    expect(serverNodeFlags("--max-old-space-size=4096 --enable-source-maps")).toEqual(["--max-semi-space-size=8"]);
    expect(serverNodeFlags("--max-semi-space-size=16 --max-old-space-size=2048")).toEqual([]);
  });

  it("sets glibc's arenas and mmap and trim thresholds, keeping each one the environment gives", () => {
    expect(serverMallocEnv({})).toEqual({
      MALLOC_ARENA_MAX: "2",
      MALLOC_MMAP_THRESHOLD_: "32768",
      MALLOC_TRIM_THRESHOLD_: "32768",
    });
    expect(serverMallocEnv({ MALLOC_MMAP_THRESHOLD_: "131072", MALLOC_ARENA_MAX: "8", PATH: "/bin" })).toEqual({
      MALLOC_ARENA_MAX: "8",
      MALLOC_MMAP_THRESHOLD_: "131072",
      MALLOC_TRIM_THRESHOLD_: "32768",
    });
  });
});
