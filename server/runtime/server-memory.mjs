// How `npm start` (launch.mjs) bounds the server process's memory: V8's heap flags and glibc's
// malloc settings. Each applies unless the operator's environment sets it (NODE_OPTIONS for the
// flags, the variable itself for malloc): the operator's word wins. Plain JavaScript, as the
// launcher. Measured in docs/benchmarks.md, Memory.

/**
 * V8's heap. Node sizes the old space from the machine's memory (about 4 GB on a 24 GB machine),
 * and with that much room V8 lets the heap grow to four times what is live before collecting: under
 * a steady load the server's heap sat at 550 MB with 130-150 MB live. A 1 GB ceiling caps that
 * growth factor at about 1.6 (V8 scales it down for ceilings under 2 GB) and still leaves six times
 * the live heap for bursts and for turns queued while the database is away. A smaller young
 * generation (8 MB semi-spaces instead of 16) keeps another 16 MB out of the resident set, for
 * twice as many scavenges.
 */
export const SERVER_MAX_OLD_SPACE_MB = 1024;
export const SERVER_MAX_SEMI_SPACE_MB = 8;

/** The node flags the server runs with, given the operator's NODE_OPTIONS. */
export function serverNodeFlags(nodeOptions = "") {
  const flags = [];
  if (!/--max-old-space-size\b/.test(nodeOptions)) flags.push(`--max-old-space-size=${SERVER_MAX_OLD_SPACE_MB}`);
  if (!/--max-semi-space-size\b/.test(nodeOptions)) flags.push(`--max-semi-space-size=${SERVER_MAX_SEMI_SPACE_MB}`);
  return flags;
}

/**
 * glibc's malloc (no effect with other C libraries):
 * - MALLOC_ARENA_MAX=2: every thread that allocates gets an arena of its own (up to 8 per core),
 *   each kept resident once touched (before: four arenas of 20-40 MB beside the main heap); the
 *   server's JavaScript runs on one thread.
 * - MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ at 32 KiB: blocks of 32 KiB and more (the
 *   64 KiB buffers Node reads sockets into, V8's compilation zones) get mappings of their own,
 *   returned to the system when freed, instead of holes in the main heap that glibc keeps resident:
 *   at idle the main heap held 105-130 MiB, of which a malloc_trim() gave back about 105. Setting
 *   the threshold also stops glibc from raising it as blocks are freed. The cost is a system call
 *   per such block; the gateway's bench showed no difference beyond its noise.
 */
export const SERVER_MALLOC_DEFAULTS = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "32768",
  MALLOC_TRIM_THRESHOLD_: "32768",
};

/** The malloc variables the server runs with, given the operator's environment. */
export function serverMallocEnv(env) {
  return Object.fromEntries(Object.entries(SERVER_MALLOC_DEFAULTS).map(([name, value]) => [name, env[name] ?? value]));
}
