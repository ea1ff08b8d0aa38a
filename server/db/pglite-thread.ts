// The embedded database on a thread of its own. PGlite runs Postgres (WASM) synchronously on the
// thread that calls it, so in the server every statement the turn writer, the gateway's state
// re-read or a dashboard page runs used to hold the thread that answers agents (10-30 ms a flush
// under load, the largest part of the gateway's tail latency with the embedded database).
//
// ThreadedPGlite is PGlite's own client (its BasePGlite: query, exec, transaction, the locks, the
// type parsers and serializers, exactly as PGlite uses them) whose wire-protocol messages go to
// a worker thread (pglite-host.mjs) that owns the PGlite instance and the data folder. Postgres's
// work runs there; replies come back as bytes and are parsed here, as PGlite parses them. The one
// data folder lock (data-dir-lock.ts) is still this process's.
import path from "node:path";
import { Worker } from "node:worker_threads";
import {
  Mutex,
  PGlite,
  messages,
  protocol,
  type DebugLevel,
  type ExecProtocolOptions,
  type ExecProtocolOptionsStream,
  type ExecProtocolResult,
  type Results,
  type Transaction,
  type QueryOptions,
} from "@electric-sql/pglite";

/** What this class uses of PGlite's base class (BasePGlite, which the package does not export by name). */
interface PGliteClient {
  parsers: PGlite["parsers"];
  serializers: PGlite["serializers"];
  query<T>(query: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(query: string, options?: QueryOptions): Promise<Array<Results>>;
  transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T>;
  _initArrayTypes(options?: { force?: boolean }): Promise<void>;
}
const BasePGlite = Object.getPrototypeOf(PGlite) as abstract new () => PGliteClient;

type Pending = { resolve: (bytes: Uint8Array) => void; reject: (err: Error) => void };
type HostMessage =
  | { type: "ready" }
  | { type: "failed"; error: { name: string; message: string } }
  | { id: number; bytes?: Uint8Array; error?: { name: string; message: string } };

export type ThreadedPGliteOptions = {
  /** The data folder; undefined: in memory. */
  dataDir?: string;
  startParams?: string[];
  /**
   * Called once if the thread stops after it was ready without being closed (Postgres aborted, the
   * worker ran out of memory): every call fails from then on, so the owner should not go on with it.
   */
  onLost?: (err: Error) => void;
};

/**
 * The worker's script, in the project folder as migrations are found (db/migrate.ts): OFFLOAD_ROOT or
 * the working directory. Never bundled: Turbopack would otherwise make a worker chunk of it and
 * rewrite the path to that chunk's name (`turbopackIgnore` below), which a path made at run time
 * never matches.
 */
function hostScript(): string {
  return path.join(
    /* turbopackIgnore: true */ process.env.OFFLOAD_ROOT || process.cwd(),
    "server",
    "db",
    "pglite-host.mjs",
  );
}

/** The thread itself could not start (its script, not the data folder): says so rather than blame the folder. */
export class ThreadStartError extends Error {
  override name = "ThreadStartError";
}

export class ThreadedPGlite extends BasePGlite {
  debug: DebugLevel = 0;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Why the thread is gone (it failed, exited or was closed): every call after it fails with this. */
  #stopped: Error | null = null;
  #closing: Promise<void> | null = null;
  readonly #ready: Promise<void>;
  #isReady = false;
  readonly #onLost: ((err: Error) => void) | undefined;
  readonly #queryMutex = new Mutex();
  readonly #transactionMutex = new Mutex();
  #parser = new protocol.Parser();

  private constructor(options: ThreadedPGliteOptions) {
    super();
    this.#onLost = options.onLost;
    this.#worker = new Worker(/* turbopackIgnore: true */ hostScript(), {
      workerData: { dataDir: options.dataDir, startParams: options.startParams },
      // The server's loader hooks (TypeScript) are not needed there: the host is plain JavaScript.
      execArgv: [],
      env: process.env,
    });
    this.#ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: HostMessage) => {
        if ("type" in message) {
          if (message.type === "ready") resolve();
          else reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
          return;
        }
        this.#answer(message);
      };
      this.#worker.on("message", onMessage);
      this.#worker.on("error", (err) => {
        this.#lost(new Error(`the embedded database's thread failed: ${err.message}`));
        // Before ready, an error event is the thread failing to start (PGlite's own failures arrive as "failed").
        reject(
          new ThreadStartError(`the embedded database's thread could not start (${hostScript()}): ${err.message}`),
        );
      });
      this.#worker.on("exit", (code) => {
        const err = this.#closing
          ? new Error("the embedded database is closed")
          : new Error(`the embedded database's thread stopped (exit code ${code})`);
        if (this.#closing) this.#stop(err);
        else this.#lost(err);
        reject(err);
      });
    });
  }

  /** Opens PGlite in a thread of its own; resolves once it is ready (as PGlite.create). */
  static async create(options: ThreadedPGliteOptions = {}): Promise<ThreadedPGlite> {
    const db = new ThreadedPGlite(options);
    try {
      await db.#ready;
      db.#isReady = true;
      db.#worker.unref();
      await db._initArrayTypes();
    } catch (err) {
      await db.#worker.terminate().catch(() => 0);
      throw err;
    }
    return db;
  }

  /** The thread stopped on its own: calls fail from now on, and the owner hears it once (after ready). */
  #lost(err: Error): void {
    const first = !this.#stopped;
    this.#stop(err);
    if (first && this.#isReady && !this.#closing) this.#onLost?.(err);
  }

  #stop(err: Error): void {
    this.#stopped ??= err;
    for (const pending of this.#pending.values()) pending.reject(this.#stopped);
    this.#pending.clear();
  }

  #answer(message: Exclude<HostMessage, { type: string }>): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    // The thread keeps the process alive only while a message is answered (as PGlite in-process never does).
    if (this.#pending.size === 0) this.#worker.unref();
    if (message.error) pending.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
    else pending.resolve(message.bytes ?? new Uint8Array(0));
  }

  #call(op: "exec" | "close", message?: Uint8Array): Promise<Uint8Array> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = ++this.#nextId;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      try {
        if (!message) return this.#worker.postMessage({ id, op });
        // A copy of its own to move to the thread: the message may be a view into a larger buffer.
        const bytes = message.slice();
        this.#worker.postMessage({ id, op, bytes }, [bytes.buffer]);
      } catch (err) {
        // Never sent: nothing will answer it, and it must not keep the process alive.
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#worker.unref();
        reject(err as Error);
      }
    });
  }

  /** Postgres's reply to a wire-protocol message, parsed as PGlite parses it (its first error thrown). */
  async #run(
    message: Uint8Array,
    { throwOnError = true, onNotice }: ExecProtocolOptions = {},
  ): Promise<{ messages: messages.BackendMessage[]; data: Uint8Array }> {
    const data = await this.#call("exec", message);
    const results: messages.BackendMessage[] = [];
    let databaseError: messages.DatabaseError | null = null;
    this.#parser.parse(data, (msg) => {
      if (databaseError) return;
      if (msg instanceof messages.DatabaseError) {
        if (throwOnError) databaseError = msg;
      } else if (msg instanceof messages.NoticeMessage) {
        onNotice?.(msg);
      }
      results.push(msg);
    });
    if (databaseError) {
      this.#parser = new protocol.Parser();
      throw databaseError;
    }
    return { messages: results, data };
  }

  async execProtocol(message: Uint8Array, options: ExecProtocolOptions = {}): Promise<ExecProtocolResult> {
    return this.#run(message, options);
  }

  async execProtocolStream(message: Uint8Array, options: ExecProtocolOptions = {}): Promise<messages.BackendMessage[]> {
    return (await this.#run(message, options)).messages;
  }

  async execProtocolRaw(message: Uint8Array): Promise<Uint8Array> {
    return this.#call("exec", message);
  }

  async execProtocolRawStream(message: Uint8Array, { onRawData }: ExecProtocolOptionsStream): Promise<void> {
    onRawData(await this.#call("exec", message));
  }

  /** The data folder is Emscripten's NODEFS (or memory): each write already reaches the file, nothing to sync. */
  async syncToFs(): Promise<void> {}

  async _handleBlob(blob?: File | Blob): Promise<void> {
    if (blob) throw new Error("COPY with a blob is not supported by the embedded database's thread");
  }

  async _getWrittenBlob(): Promise<undefined> {
    return undefined;
  }

  async _cleanupBlob(): Promise<void> {}

  async _checkReady(): Promise<void> {
    await this.#ready;
  }

  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T> {
    return this.#queryMutex.runExclusive(fn);
  }

  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.#transactionMutex.runExclusive(fn);
  }

  async listen(): Promise<never> {
    throw new Error("LISTEN is not supported by the embedded database's thread");
  }

  /** Closes the database (a checkpoint, as PGlite's close) and ends its thread. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#stopped) {
        // After every statement already queued: the locks are taken as a query would take them.
        await this._runExclusiveTransaction(() => this._runExclusiveQuery(() => this.#call("close"))).catch(() => {});
      }
      await this.#worker.terminate().catch(() => 0);
    })();
    return this.#closing;
  }

  get closed(): boolean {
    return this.#stopped !== null;
  }
}
