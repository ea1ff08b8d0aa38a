// The embedded database's own thread (a worker_threads worker started by pglite-thread.ts): it
// opens PGlite on the data folder and runs the Postgres wire-protocol messages the server's thread
// sends it, one at a time, answering each with Postgres's reply bytes. Postgres itself (WASM: the
// planner, the executor, the WAL and the files) runs here, off the thread that serves the agents;
// parsing the replies stays on the server's thread, in PGlite's own client code.
// Plain JavaScript: a worker is started by node without the server's TypeScript loader.
import v8 from "node:v8";
import { clearTimeout, setTimeout } from "node:timers";
import vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

/** @type {{ dataDir: string | undefined, startParams: string[] | undefined }} */
const { dataDir, startParams } = workerData;

/** @param {unknown} err */
function describe(err) {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: "Error", message: String(err) };
}

/**
 * A full garbage collection of this thread's heap. PGlite's start leaves hundreds of MB that only a
 * major collection frees (on a new folder, initdb's own WASM instance: RSS 560 MB after the start,
 * 150 MB after a collection), and so can a burst of statements; an idle thread allocates nothing
 * that would start one, so it would keep them resident. It costs this thread a few milliseconds,
 * never the server's. (--expose-gc reaches only contexts made after it: the one made here, and any
 * \`vm\` context any thread of the process makes later, which then has a global \`gc\` too; V8's
 * flags are the process's, not this thread's. Nothing in the server makes one.)
 */
let collect = () => {};
try {
  v8.setFlagsFromString("--expose-gc");
  collect = vm.runInNewContext("gc");
} catch {
  // without it, V8 collects on its own schedule
}
const IDLE_COLLECT_MS = 2_000;
let idleTimer;
/** After a message: a collection once no message has come for IDLE_COLLECT_MS. */
function afterWork() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(collect, IDLE_COLLECT_MS);
  idleTimer.unref();
}

let db;
try {
  db = await PGlite.create(dataDir, startParams ? { startParams } : {});
} catch (err) {
  parentPort.postMessage({ type: "failed", error: describe(err) });
  parentPort.close();
}

if (db) {
  // One message at a time, in the order sent (the server's thread holds PGlite's locks anyway).
  let queue = Promise.resolve();
  parentPort.on("message", (message) => {
    queue = queue.then(() => handle(message)).then(afterWork);
  });
  collect();
  parentPort.postMessage({ type: "ready" });
}

/** @param {{ id: number, op: "exec" | "close", bytes?: Uint8Array }} message */
async function handle({ id, op, bytes }) {
  try {
    if (op === "exec") {
      // The reply as Postgres writes it, unparsed (the server's thread parses it). Each chunk is a
      // view into the WASM memory: copied out before the next one overwrites it.
      const chunks = [];
      let length = 0;
      await db.execProtocolRawStream(bytes, {
        syncToFs: false,
        onRawData: (chunk) => {
          chunks.push(chunk.slice());
          length += chunk.byteLength;
        },
      });
      const reply = chunks.length === 1 ? chunks[0] : new Uint8Array(length);
      if (chunks.length !== 1) {
        let at = 0;
        for (const chunk of chunks) {
          reply.set(chunk, at);
          at += chunk.byteLength;
        }
      }
      parentPort.postMessage({ id, bytes: reply }, [reply.buffer]);
      return;
    }
    if (op === "close") {
      await db.close();
      parentPort.postMessage({ id });
      parentPort.close();
      return;
    }
    throw new Error(`unknown operation ${String(op)}`);
  } catch (err) {
    parentPort.postMessage({ id, error: describe(err) });
  }
}
