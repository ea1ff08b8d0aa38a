// Fuzz: 10,000+ generated malformed requests (seeded, so a failure replays) across the agent
// endpoints (/v1/messages, /v1/messages/count_tokens, /api/v1/turns, /api/v1/route), a sample of
// the admin tRPC procedures, and raw HTTP that node:http itself refuses. Every case is broken by
// construction (a wrong type, a missing field, NUL or invalid UTF-8, a huge string, deep nesting,
// duplicate keys, a wrong content type with a body that is not JSON, a cut-off body...), so every
// answer must be a 4xx with a JSON body: never a 5xx, never a hang. Afterwards the process is up,
// nothing was stored, and metering still flows (a good reported turn and a good gateway turn are
// recorded).
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pool } from "undici";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { addAgent } from "@/server/agents/manage-agents";
import { seedCatalogue } from "@/server/db/seed";
import type { Db } from "@/server/db/client";
import { testDatabases } from "@/server/testing/test-databases";
import { startFakeOllama, type FakeOllama } from "@/server/testing/fake-ollama";
import { configureTurnWriter, flushTurns, resetTurnWriter } from "@/server/gateway/turn-writer";
import { invalidateGatewayState } from "@/server/gateway/gateway-state";
import { resetEnv } from "@/server/process/env";
import { captureLogs } from "@/server/process/log";
import { appRouter } from "@/server/api/root";
import { readTrpcBody, refuseUnsafeTrpcRequest, type TRPCContext } from "@/server/api/trpc";
import { createRandom, type Random } from "@/server/core/random";
import { agentRoute } from "./agent-routes";
import { serveWebHandler } from "./web-handler";
import { handleClientError } from "./client-error";

const SEED = 20261130;
const CASES = 10_400;
const RAW_CASES = 120;
const CONCURRENCY = 12;
const savedEnv = { ...process.env };

type Expect = "anthropic" | "trpc";
type Case = {
  name: string;
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  expect: Expect;
};

const pick = <T>(r: Random, list: readonly T[]): T => list[r.int(0, list.length - 1)]!;
const chance = (r: Random, p: number) => r.next() < p;

/** Strings that make trouble: NUL and control characters, quotes, escapes, non-BMP and lone surrogates. */
function junk(r: Random, max = 40): string {
  const alphabet = [
    "a",
    "Z",
    "0",
    " ",
    '"',
    "\\",
    "\u0000",
    "\u0001",
    "\n",
    "\u007f",
    "é",
    "中",
    "😀",
    "\ud800",
    "{",
    "[",
    "%",
  ];
  let s = "";
  for (let i = r.int(0, max); i > 0; i--) s += pick(r, alphabet);
  return s;
}

/** A value of any JSON type, sometimes nested. */
function anyValue(r: Random, depth = 0): unknown {
  switch (r.int(0, depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return chance(r, 0.5);
    case 2:
      return pick(r, [0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -0, 1e308, 12]);
    case 3:
      return junk(r);
    case 4:
      return "";
    case 5:
      return pick(r, ["12", "true", "null", "claude-opus-4-6"]);
    case 6:
      return Array.from({ length: r.int(0, 3) }, () => anyValue(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(0, 3) }, () => [junk(r, 8), anyValue(r, depth + 1)]));
  }
}

const notString = (r: Random) => pick(r, [null, true, 0, 42, -1.5, [], ["x"], {}, { a: 1 }]);
/** For fields that may be null (the route's title and description). */
const notStringNorNull = (r: Random) => pick(r, [true, 0, 42, -1.5, [], ["x"], {}, { a: 1 }]);
const notArray = (r: Random) => pick(r, [null, true, 0, "messages", "", {}, { 0: "x" }]);
const notObject = (r: Random) => pick(r, [null, true, 0, "usage", [], [1, 2]]);
/** Not a positive whole number (max_tokens). */
const notPositiveInt = (r: Random) =>
  pick(r, [null, true, "64", "", 0, -1, -0, 1.5, 2 ** 53 + 2, [], {}, "\u0000", [64], { n: 64 }]);
/** Not a token count a turn can claim. */
const notCount = (r: Random) =>
  pick(r, [null, "12", true, -1, 1.5, 2 ** 31, 2_147_483_647, 2 ** 53 + 2, 1e300, 2_000_001, [], {}]);

function deep(r: Random): string {
  const n = r.int(65, chance(r, 0.1) ? 20_000 : 2_000);
  return chance(r, 0.5) ? `${"[".repeat(n)}${"]".repeat(n)}` : `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
}

// Valid bodies, one per endpoint, with noise; the breakers below always break them.
function messagesBase(r: Random, withMaxTokens: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: pick(r, ["claude-opus-4-6", "claude-haiku-4-5", "qwen3:8b"]),
    messages: [{ role: "user", content: chance(r, 0.5) ? junk(r, 200) : [{ type: "text", text: junk(r, 200) }] }],
  };
  if (withMaxTokens) body.max_tokens = r.int(1, 8192);
  if (chance(r, 0.3)) body.system = junk(r, chance(r, 0.1) ? 200_000 : 100);
  if (chance(r, 0.2)) body.metadata = { user_id: junk(r) };
  if (chance(r, 0.2)) body.tools = [{ name: "t", input_schema: anyValue(r) }];
  if (chance(r, 0.2)) body.stream = chance(r, 0.5);
  return body;
}
const turnItem = (r: Random): Record<string, unknown> => ({
  model: pick(r, ["claude-opus-4-6", "qwen3:8b"]),
  usage: { input_tokens: r.int(0, 50_000), output_tokens: r.int(0, 4_000) },
  ...(chance(r, 0.3) ? { latencyMs: r.int(0, 60_000) } : {}),
});
const turnsBase = (r: Random) => ({ turns: Array.from({ length: r.int(1, 4) }, () => turnItem(r)) });
const routeBase = (r: Random) => ({
  agent: "fuzzer",
  ...(chance(r, 0.5) ? { title: junk(r, 80) } : {}),
  ...(chance(r, 0.3) ? { description: junk(r, 400) } : {}),
});

const tasksBase = (r: Random) => ({
  title: `task ${junk(r, 40)}`,
  ...(chance(r, 0.5) ? { payload: { action: "file.write", path: "notes/x.txt", content: junk(r, 40) } } : {}),
  ...(chance(r, 0.3) ? { priority: r.int(-5, 5) } : {}),
});

type Endpoint = "messages" | "countTokens" | "turns" | "route" | "tasks";
const PATHS: Record<Endpoint, string> = {
  messages: "/v1/messages",
  countTokens: "/v1/messages/count_tokens",
  turns: "/api/v1/turns",
  route: "/api/v1/route",
  tasks: "/api/v1/tasks",
};
/** Over the endpoint's string limit (json-limits), where that is below its body cap. */
const LONG_STRING: Partial<Record<Endpoint, number>> = { turns: 16 * 1024 + 1, route: 1_200_001 };
/** Over the endpoint's array limit. */
const MANY_ITEMS: Record<Endpoint, number> = {
  messages: 100_001,
  countTokens: 100_001,
  turns: 10_001,
  route: 10_001,
  tasks: 100_001,
};

/** Breaks the body as an object: a required field of the wrong type, missing, or out of range. */
function breakObject(r: Random, endpoint: Endpoint, body: Record<string, unknown>): string {
  switch (endpoint) {
    case "messages":
    case "countTokens": {
      const options = endpoint === "messages" ? 5 : 3;
      switch (r.int(0, options)) {
        case 0:
          body.model = chance(r, 0.8) ? notString(r) : "";
          return "model wrong";
        case 1:
          delete body.model;
          return "model missing";
        case 2:
          body.messages = notArray(r);
          return "messages wrong";
        case 3:
          delete body.messages;
          return "messages missing";
        case 4:
          body.max_tokens = notPositiveInt(r);
          return "max_tokens wrong";
        default:
          delete body.max_tokens;
          return "max_tokens missing";
      }
    }
    case "turns": {
      const turns = body.turns as Record<string, unknown>[];
      const item = turns[r.int(0, turns.length - 1)]!;
      const usage = item.usage as Record<string, unknown>;
      switch (r.int(0, 11)) {
        case 0:
          body.turns = chance(r, 0.8) ? notArray(r) : [];
          return "turns wrong";
        case 1:
          item.model = pick(r, [null, 1, "", "m\u0000x", "claude\u0001", "x".repeat(201)]);
          return "model wrong";
        case 2:
          item.usage = notObject(r);
          return "usage wrong";
        case 3:
          usage.input_tokens = notCount(r);
          return "input_tokens wrong";
        case 4:
          usage.output_tokens = pick(r, [200_001, 2 ** 31, -5, "1", null, 0.5]);
          return "output_tokens wrong";
        case 5:
          usage.cache_read_input_tokens = 1_999_999;
          usage.input_tokens = 2;
          return "input total too large";
        case 6:
          item.startedAt = pick(r, [
            "yesterday",
            "",
            "2026-02-30T00:00:00Z",
            new Date(Date.now() - 400 * 86_400_000).toISOString(),
            new Date(Date.now() + 3_600_000).toISOString(),
            0,
          ]);
          return "startedAt wrong";
        case 7:
          item.lane = pick(r, ["moon", 1, null, ""]);
          return "lane wrong";
        case 8:
          item.latencyMs = pick(r, [-1, 86_400_001, 2 ** 31, "5", 1.5]);
          return "latencyMs wrong";
        case 9:
          item.agent = pick(r, ["Not A Slug", "fu\u0000zz", "someone-else", 7]);
          return "agent wrong";
        case 10:
          item.taskType = pick(r, ["no-such-task-type", "", 3, "heart\u0000beat"]);
          return "taskType wrong";
        default:
          delete item.usage;
          return "usage missing";
      }
    }
    case "route":
      switch (r.int(0, 4)) {
        case 0:
          body.agent = pick(r, [1, [], "Not A Slug!", "fu\u0000zz", "someone-else", "x".repeat(64)]);
          return "agent wrong";
        case 1:
          body.taskType = pick(r, ["", "no-such-task-type", 5, {}, "heart\u0000beat"]);
          return "taskType wrong";
        case 2:
          body.title = chance(r, 0.8) ? notStringNorNull(r) : "t".repeat(20_001);
          return "title wrong";
        case 3:
          body.description = chance(r, 0.8) ? notStringNorNull(r) : "d".repeat(200_001);
          return "description wrong";
        default:
          body.agent = pick(r, [["fuzzer"], { id: "fuzzer" }, true, 0]);
          return "agent not a string";
      }
    case "tasks":
      switch (r.int(0, 5)) {
        case 0:
          body.title = chance(r, 0.8) ? notString(r) : pick(r, ["", "   ", "t".repeat(20_001)]);
          return "title wrong";
        case 1:
          delete body.title;
          return "title missing";
        case 2:
          body.priority = pick(r, [1.5, "1", 2_000_000, -2_000_000, [], null]);
          return "priority wrong";
        case 3:
          body.agent = pick(r, [1, [], "Not A Slug!", "fu\u0000zz", "someone-else", "x".repeat(64)]);
          return "agent wrong";
        case 4:
          body.taskType = pick(r, ["", "no-such-task-type", 5, {}, "heart\u0000beat"]);
          return "taskType wrong";
        default:
          body.payload = pick(r, [
            { action: "file.write", path: "", content: "x" },
            { action: "file.write", path: "a.txt" },
            { action: "git.checkout_new_branch", name: "-x" },
            { action: "git.add", paths: [] },
            { action: "http.get", url: "ftp://example.com/" },
            { action: "file.rename", from: "a\u0000b", to: "c" },
          ]);
          return "payload action wrong";
      }
  }
}

const utf8 = (s: string) => Buffer.from(s, "utf8");

/** Breaks the body as bytes: each of these alone makes any body malformed. */
function breakBytes(
  r: Random,
  endpoint: Endpoint,
  text: string,
  keys: readonly string[],
): { name: string; body: Buffer; contentType?: string } {
  const at = r.int(1, text.length - 1);
  switch (r.int(0, 13)) {
    case 0:
      return { name: "cut off", body: utf8(text.slice(0, at)) };
    case 1:
      return {
        name: "raw NUL",
        body: Buffer.concat([utf8(text.slice(0, at)), Buffer.from([0]), utf8(text.slice(at))]),
      };
    case 2: {
      const bad = pick(r, [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]);
      return {
        name: "invalid UTF-8",
        body: Buffer.concat([utf8(text.slice(0, at)), Buffer.from(bad), utf8(text.slice(at))]),
      };
    }
    case 3:
      // A key the body already has, once more (JSON.parse would keep the last one).
      if (keys.length === 0) return { name: "cut off", body: utf8(text.slice(0, at)) };
      return {
        name: "duplicate key",
        body: utf8(`{"${pick(r, keys)}":${JSON.stringify(anyValue(r))},${text.slice(1)}`),
      };
    case 4:
      return { name: "deep nesting", body: utf8(`{"deep":${deep(r)},${text.slice(1)}`) };
    case 5:
      return { name: "top level not an object", body: utf8(pick(r, ["[]", "null", "1", '"s"', "true", `[${text}]`])) };
    case 6:
      return { name: "empty", body: utf8(pick(r, ["", " ", "\r\n\t", "\ufeff"])) };
    case 7:
      return {
        name: "form body",
        body: utf8(`model=claude-opus-4-6&max_tokens=16&messages=${Buffer.from(junk(r)).toString("base64url")}`),
        contentType: "application/x-www-form-urlencoded",
      };
    case 8:
      return {
        name: "multipart body",
        body: utf8(`--b\r\ncontent-disposition: form-data; name="json"\r\n\r\n${text}\r\n--b--\r\n`),
        contentType: "multipart/form-data; boundary=b",
      };
    case 9:
      return {
        name: "text body",
        body: utf8(`hello ${junk(r)}`),
        contentType: pick(r, ["text/plain", "text/html", ""]),
      };
    case 10:
      return { name: "many items", body: utf8(`{"pad":[${"0,".repeat(MANY_ITEMS[endpoint] - 1)}0],${text.slice(1)}`) };
    case 11: {
      const long = LONG_STRING[endpoint];
      if (long) return { name: "long string", body: utf8(`{"pad":"${"x".repeat(long)}",${text.slice(1)}`) };
      return { name: "trailing garbage", body: utf8(`${text}${pick(r, ["}", "]", ",", "x", "{}"])}`) };
    }
    case 12:
      return { name: "number overflow", body: utf8(text.replace(/:(\d+)/, ":1e999").replace(/^\{/, '{"x":01,')) };
    default:
      return {
        name: "bad escape",
        body: utf8(`{"x":"\\${pick(r, ["x", "u12", "uZZZZ", "\u0000"])}",${text.slice(1)}`),
      };
  }
}

function agentCase(r: Random, keys: { agent: string }): Case {
  const endpoint = pick(r, ["messages", "countTokens", "turns", "route", "tasks"] as const);
  const body =
    endpoint === "messages"
      ? messagesBase(r, true)
      : endpoint === "countTokens"
        ? messagesBase(r, false)
        : endpoint === "turns"
          ? turnsBase(r)
          : endpoint === "route"
            ? routeBase(r)
            : tasksBase(r);
  const headers: Record<string, string> = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
  const auth = r.next();
  if (auth < 0.85) headers[chance(r, 0.5) ? "x-api-key" : "authorization"] = keys.agent;
  else if (auth < 0.93) headers["x-api-key"] = `ofk_${junk(r, 10).replace(/[^\x21-\x7e]/g, "q")}`;
  if (headers.authorization) headers.authorization = `Bearer ${headers.authorization}`;
  if (chance(r, 0.1)) headers["x-offload-task-type"] = pick(r, ["heartbeat", "no-such", "x".repeat(500), ""]);

  let name: string;
  let bytes: Buffer;
  if (chance(r, 0.45)) {
    name = breakObject(r, endpoint, body);
    bytes = utf8(JSON.stringify(body));
    if (chance(r, 0.2)) {
      const more = breakBytes(r, endpoint, bytes.toString("utf8"), Object.keys(body));
      name += ` + ${more.name}`;
      bytes = more.body;
      if (more.contentType !== undefined) headers["content-type"] = more.contentType;
    }
  } else {
    const broken = breakBytes(r, endpoint, JSON.stringify(body), Object.keys(body));
    name = broken.name;
    bytes = broken.body;
    if (broken.contentType !== undefined) headers["content-type"] = broken.contentType;
  }
  if (headers["content-type"] === "") delete headers["content-type"];
  return {
    name: `${endpoint}: ${name}`,
    method: "POST",
    path: PATHS[endpoint],
    headers,
    body: bytes,
    expect: "anthropic",
  };
}

function trpcCase(r: Random): Case {
  const post = (procedure: string, input: unknown, name: string): Case => {
    const text = JSON.stringify({ json: input });
    let contentType = "application/json";
    if (chance(r, 0.3)) {
      const broken = breakBytes(r, "route", text, ["json"]);
      name += ` + ${broken.name}`;
      if (broken.contentType !== undefined) contentType = broken.contentType;
      return {
        name: `trpc ${procedure}: ${name}`,
        method: "POST",
        path: `/api/trpc/${procedure}`,
        headers: contentType ? { "content-type": contentType } : {},
        body: broken.body,
        expect: "trpc",
      };
    }
    return {
      name: `trpc ${procedure}: ${name}`,
      method: "POST",
      path: `/api/trpc/${procedure}`,
      headers: { "content-type": contentType },
      body: utf8(text),
      expect: "trpc",
    };
  };
  const get = (procedure: string, input: string, name: string): Case => ({
    name: `trpc ${procedure}: ${name}`,
    method: "GET",
    // A URL cannot carry lone surrogates: they go as U+FFFD.
    path: `/api/trpc/${procedure}?input=${encodeURIComponent(input.replace(/[\ud800-\udfff]/g, "\ufffd"))}`,
    headers: {},
    expect: "trpc",
  });
  const badId = () => pick(r, [notString(r), "Not A Slug", "fu\u0000zz", "x".repeat(r.int(64, 5_000)), ""]);
  switch (r.int(0, 9)) {
    case 0:
      return post("agents.add", { id: badId(), name: junk(r), pin: chance(r, 0.5) ? "claude" : anyValue(r) }, "bad id");
    case 1:
      return post("agents.add", { id: "fuzz-new", pin: pick(r, ["sideways", 1, null, ""]) }, "bad pin");
    case 2:
      return post("tiers.setPin", { id: "fuzzer", pin: pick(r, ["sideways", 2, [], null, "LOCAL"]) }, "bad pin");
    case 3:
      return post("agents.rotateKey", { id: badId() }, "bad id");
    case 4:
      return post(
        "system.updateSettings",
        { healthMaxErrorRate: pick(r, [2, -1, "0.1", [], {}, 1e308]) },
        "bad setting",
      );
    case 5:
      return get("fleet.costs", JSON.stringify({ json: { days: pick(r, [1, 8, "7", null, [], 30.5]) } }), "bad days");
    case 6:
      return get("tiers.changes", JSON.stringify({ json: { limit: pick(r, [0, 201, 1.5, "5", -1]) } }), "bad limit");
    case 7:
      return get("fleet.agent", pick(r, ["{", "", junk(r), `{"json":${deep(r)}}`, '{"json":{"id":5}}']), "bad input");
    case 8:
      return post(pick(r, ["nope.nope", "agents.nope", "fleet..costs"]), anyValue(r), "no such procedure");
    default:
      return post("agents.add", { id: deepValue(r) }, "deep id");
  }
}

function deepValue(r: Random): unknown {
  let v: unknown = 1;
  for (let i = r.int(65, 3_000); i > 0; i--) v = [v];
  return v;
}

/** Raw bytes node:http's parser refuses (answered by handleClientError). */
function rawCase(r: Random, key: string): string | Buffer {
  switch (r.int(0, 6)) {
    case 0:
      return `${pick(r, ["HELLO", "P OST", "POST\u0000"])} /v1/messages HTTP/1.1\r\nhost: x\r\n\r\n`;
    case 1:
      return `POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(r.int(17_000, 40_000))}\r\n\r\n`;
    case 2:
      return "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello";
    case 3:
      return `POST /api/v1/turns HTTP/1.1\r\nhost: x\r\nx-api-key: ${key}\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`;
    case 4:
      return Buffer.concat([
        Buffer.from("POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-a"),
        Buffer.from([0x01, 0xff]),
        Buffer.from(": b\r\n\r\n"),
      ]);
    case 5:
      return "POST /v1/messages HTTP/9.9\r\nhost: x\r\n\r\n";
    default:
      return `POST /v1/messages/count_tokens HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n`;
  }
}

function sendRaw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString("utf8"));
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      done();
    });
    socket.write(bytes);
  });
}

const target = testDatabases()[0]!;

describe("fuzzing the agent endpoints and the admin API", () => {
  let db: Db;
  let ollama: FakeOllama;
  let server: http.Server;
  let port: number;
  let key: string;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    Object.assign(process.env, { OLLAMA_HOST: ollama.url });
    delete process.env.ANTHROPIC_API_KEY; // a case that slipped through to Claude would be a 503: a failure here
    resetEnv();
    resetTurnWriter();
    invalidateGatewayState();
    db = await target.create();
    await seedCatalogue(db);
    configureTurnWriter(async () => db);
    key = (await addAgent(db, { id: "fuzzer", pin: "local" })).key;
    await addAgent(db, { id: "someone-else" });
    const context = (): TRPCContext => ({ db, actor: { kind: "operator", name: "fuzz" } }) as TRPCContext;
    server = http.createServer((req, res) => {
      const handler = agentRoute(req.method, req.url);
      if (handler) {
        void serveWebHandler((request) => handler(request, db), req, res, "http://127.0.0.1");
        return;
      }
      if (req.url?.startsWith("/api/trpc/")) {
        // As app/api/trpc/[trpc]/route.ts: the admin API's own refusals first, then tRPC.
        void serveWebHandler(
          async (original) => {
            const refused = refuseUnsafeTrpcRequest(original);
            if (refused) return refused;
            const request = await readTrpcBody(original);
            if (request instanceof Response) return request;
            return fetchRequestHandler({
              endpoint: "/api/trpc",
              req: request,
              router: appRouter,
              createContext: context,
            });
          },
          req,
          res,
          "http://127.0.0.1",
        );
        return;
      }
      res.writeHead(404, { "content-type": "application/json" }).end('{"type":"error"}');
    });
    server.on("clientError", handleClientError);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await ollama?.close();
    process.env = { ...savedEnv };
    resetEnv();
    await target.cleanup();
  });

  it(`answers ${CASES.toLocaleString("en-US")} malformed requests with a 4xx JSON each, and keeps metering`, async () => {
    const r = createRandom(SEED);
    const logs = captureLogs("warn");
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on("unhandledRejection", onUnhandled);
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, pipelining: 1 });
    const failures: string[] = [];
    const counts = new Map<string, number>();
    const started = Date.now();
    try {
      const cases: Case[] = Array.from({ length: CASES }, () =>
        chance(r, 0.8) ? agentCase(r, { agent: key }) : trpcCase(r),
      );
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const kind = c.name.replace(/:.*/, "");
          counts.set(kind, (counts.get(kind) ?? 0) + 1);
          let status: number;
          let text: string;
          try {
            const res = await pool.request({
              method: c.method,
              path: c.path,
              headers: c.headers,
              body: c.body,
              headersTimeout: 30_000,
              bodyTimeout: 30_000,
            });
            status = res.statusCode;
            text = await res.body.text();
          } catch (err) {
            failures.push(`${c.name}: ${(err as Error).message}`);
            continue;
          }
          type Answer = { type?: unknown; error?: { type?: unknown; message?: unknown } } | null;
          const json = ((): Answer => {
            try {
              return JSON.parse(text) as Answer;
            } catch {
              return null;
            }
          })();
          const shaped =
            c.expect === "anthropic"
              ? json?.type === "error" && typeof json.error?.type === "string" && typeof json.error.message === "string"
              : json !== null && typeof json === "object" && "error" in json;
          if (status < 400 || status >= 500 || !shaped)
            failures.push(`${c.name} ${c.method} ${c.path}: ${status} ${text.slice(0, 200)}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      // Raw HTTP that node:http itself refuses: Anthropic-shaped JSON from handleClientError.
      for (let i = 0; i < RAW_CASES; i++) {
        const answer = await sendRaw(port, rawCase(r, key));
        const status = Number(answer.split(" ")[1]);
        const body = answer.slice(answer.indexOf("\r\n\r\n") + 4);
        let ok = status >= 400 && status < 500;
        try {
          ok &&= (JSON.parse(body) as { type?: string }).type === "error";
        } catch {
          ok = false;
        }
        if (!ok) failures.push(`raw #${i}: ${answer.slice(0, 200)}`);
      }
    } finally {
      await pool.close();
      process.off("unhandledRejection", onUnhandled);
      logs.stop();
    }
    const seconds = (Date.now() - started) / 1000;
    expect(failures.slice(0, 20), `${failures.length} failures of ${CASES + RAW_CASES}`).toEqual([]);
    expect(unhandled).toEqual([]);
    expect(logs.lines.filter((l) => l.level === "error" || l.level === "fatal")).toEqual([]);
    expect(seconds).toBeLessThan(120); // ~20-25 s alone on the 2-core test machine
    for (const kind of ["messages", "countTokens", "turns", "route", "tasks"])
      expect(counts.get(kind)).toBeGreaterThan(1_200);
    expect([...counts.keys()].filter((k) => k.startsWith("trpc")).length).toBeGreaterThan(5);

    // Nothing the fuzz sent was stored, and the fake Ollama saw no chat.
    await flushTurns();
    expect(await db.prisma.turn.count()).toBe(0);
    expect(await db.prisma.task.count()).toBe(0);
    expect(ollama.requests.filter((q) => q.path === "/api/chat")).toEqual([]);

    // Metering still flows: a reported turn and a gateway turn are recorded.
    const reported = await fetch(`http://127.0.0.1:${port}/api/v1/turns`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ turns: [{ model: "claude-opus-4-6", usage: { input_tokens: 100, output_tokens: 10 } }] }),
    });
    expect(reported.status).toBe(201);
    const gateway = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-opus-4-6",
        max_tokens: 64,
        messages: [
          { role: "user", content: "Read HEARTBEAT.md if it exists. If nothing needs attention, reply HEARTBEAT_OK." },
        ],
      }),
    });
    expect(gateway.status).toBe(200);
    const turnId = gateway.headers.get("x-offload-turn-id");
    await gateway.arrayBuffer();
    await flushTurns();
    const turns = await db.prisma.turn.findMany({ orderBy: { startedAt: "asc" } });
    expect(turns.map((t) => t.source).sort()).toEqual(["gateway", "reported"]);
    if (turnId) expect(turns.some((t) => t.id === turnId)).toBe(true);
  }, 180_000);
});
