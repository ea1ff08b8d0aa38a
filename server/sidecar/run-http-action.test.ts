// The HTTP actions against a server on 127.0.0.1: GET and POST JSON with their results, a 4xx as a
// done action, redirects followed by hand among allowed hosts only, hosts outside --allow-host and
// redirects to them refused before any request goes there, and a connection that fails.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendJson, startFakeServer, type FakeHandle } from "@/server/testing/fake-server";
import { ActionError } from "./action-error";
import { isHostAllowed, parseAllowHost, type AllowedHost } from "./allow-hosts";
import { MAX_REDIRECTS, TEXT_MAX_BYTES, runHttpAction, type HttpAction } from "./run-http-action";
import { runSidecarAction } from "./run-sidecar-action";

let target: FakeHandle;
let port: number;
let allowed: AllowedHost[];

beforeAll(async () => {
  const redirect = (status: number, to: () => string) => (_req: unknown, res: http.ServerResponse) =>
    void res.writeHead(status, { location: to() }).end();
  const loop: Record<string, (req: unknown, res: http.ServerResponse) => void> = {};
  for (let i = 0; i <= 10; i++) loop[`GET /loop/${i}`] = redirect(302, () => `/loop/${i + 1}`);
  target = await startFakeServer({
    errorBody: (status) => ({ error: `status ${status}` }),
    routes: {
      "GET /json": (_req, res) => sendJson(res, 200, { hello: "world", n: 1 }),
      "GET /text": (_req, res) => void res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("plain"),
      "GET /big": (_req, res) =>
        void res.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(TEXT_MAX_BYTES + 500_000)),
      "GET /bad-json": (_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end("{oops"),
      "GET /teapot": (_req, res) => sendJson(res, 418, { error: "I'm a teapot" }),
      "POST /echo": (req, res) => sendJson(res, 201, { got: req.body, type: req.headers["content-type"] ?? null }),
      "GET /to-json": redirect(302, () => "/json"),
      "POST /post-303": redirect(303, () => "/json"),
      "POST /post-307": redirect(307, () => "/echo"),
      "GET /to-out": redirect(302, () => `http://localhost:${port}/json`),
      "GET /to-ftp": redirect(302, () => `ftp://127.0.0.1:${port}/json`),
      ...loop,
    },
  });
  port = Number(new URL(target.url).port);
  allowed = [parseAllowHost(`127.0.0.1:${port}`)!];
});
afterAll(() => target.close());

const run = (action: HttpAction, hosts = allowed) => runHttpAction(action, hosts);
const get = (p: string): HttpAction => ({ action: "http.get", url: `${target.url}${p}` });
async function failure(action: HttpAction, hosts = allowed): Promise<ActionError> {
  const err = await run(action, hosts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}
const paths = () => target.requests.map((r) => `${r.method} ${r.path}`);

describe("http actions do what they say", () => {
  it("GET parses a JSON answer", async () => {
    expect(await run(get("/json"))).toEqual({
      action: "http.get",
      url: `${target.url}/json`,
      status: 200,
      contentType: "application/json",
      body: { hello: "world", n: 1 },
    });
  });

  it("GET keeps a text answer as text, and one that only claims to be JSON too", async () => {
    expect(await run(get("/text"))).toMatchObject({
      status: 200,
      contentType: "text/plain; charset=utf-8",
      body: "plain",
    });
    expect(await run(get("/bad-json"))).toMatchObject({ status: 200, body: "{oops" });
  });

  it("cuts a text answer at 1 MB and says so", async () => {
    const result = await run(get("/big"));
    expect((result.body as string).length).toBe(TEXT_MAX_BYTES);
    expect(result.truncated).toBe(true);
  });

  it("POST sends the body as JSON", async () => {
    expect(await run({ action: "http.post_json", url: `${target.url}/echo`, body: { a: [1, 2] } })).toMatchObject({
      action: "http.post_json",
      status: 201,
      body: { got: { a: [1, 2] }, type: "application/json" },
    });
  });

  it("a 4xx or 5xx answer is a done action whose result is the status", async () => {
    expect(await run(get("/teapot"))).toMatchObject({ status: 418, body: { error: "I'm a teapot" } });
    expect(await run(get("/nowhere"))).toMatchObject({ status: 404, body: { error: "status 404" } });
    const outcome = await runSidecarAction(get("/teapot"), { workdir: "/", allowHosts: allowed });
    expect(outcome).toMatchObject({ ok: true, result: { status: 418 } });
  });

  it("follows redirects among allowed hosts: 302 and 303 as GET, 307 repeating the POST", async () => {
    expect(await run(get("/to-json"))).toMatchObject({ url: `${target.url}/json`, body: { hello: "world" } });
    expect(await run({ action: "http.post_json", url: `${target.url}/post-303`, body: 1 })).toMatchObject({
      status: 200,
      body: { hello: "world" },
    });
    expect(await run({ action: "http.post_json", url: `${target.url}/post-307`, body: { again: true } })).toMatchObject(
      { status: 201, url: `${target.url}/echo`, body: { got: { again: true } } },
    );
  });

  it(`follows at most ${MAX_REDIRECTS} redirects`, async () => {
    expect(await run(get(`/loop/${11 - MAX_REDIRECTS}`))).toMatchObject({ status: 404, url: `${target.url}/loop/11` });
    const err = await failure(get("/loop/0"));
    expect(err.message).toBe(`http.get ${target.url}/loop/0: more than ${MAX_REDIRECTS} redirects`);
  });
});

describe("http actions refused or failed", () => {
  it("refuses a host that is not allowed, before any request", async () => {
    const before = target.requests.length;
    const err = await failure(get("/json"), [parseAllowHost("example.com")!]);
    expect(err.kind).toBe("refused");
    expect(err.message).toBe(`http.get: 127.0.0.1:${port} is not an allowed host (see --allow-host)`);
    const otherPort = await failure(get("/json"), [parseAllowHost(`127.0.0.1:${port + 1}`)!]);
    expect(otherPort.kind).toBe("refused");
    expect(target.requests.length).toBe(before);
  });

  it("refuses a redirect to a host that is not allowed (a name for the same server included), and never goes there", async () => {
    const before = target.requests.length;
    const err = await failure(get("/to-out"));
    expect(err.kind).toBe("refused");
    expect(err.message).toBe(
      `http.get ${target.url}/to-out: redirected to http://localhost:${port}, which is not an allowed host (see --allow-host)`,
    );
    expect((await failure(get("/to-ftp"))).kind).toBe("refused");
    expect(paths().slice(before)).toEqual(["GET /to-out", "GET /to-ftp"]);
  });

  it("fails on a connection error, and on a server that does not answer in time", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure({ action: "http.get", url: `http://127.0.0.1:${closedPort}/` }, [
      parseAllowHost("127.0.0.1")!,
    ]);
    expect(err.kind).toBe("failed");
    expect(err.message).toMatch(
      new RegExp(`^http.get http://127.0.0.1:${closedPort}/: connection failed \\(.*ECONNREFUSED`),
    );

    target.failNext({ kind: "hang" });
    const slow = await runHttpAction(get("/json"), allowed, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect((slow as ActionError).message).toMatch(/: no answer within 0.3 s \(timed out\)$/);
  });
});

describe("the allow list", () => {
  const allows = (entry: string, url: string) => isHostAllowed(new URL(url), [parseAllowHost(entry)!]);

  it("matches host (any port) or host:port (that port; a URL without one has its scheme's), case-insensitively", () => {
    expect(allows("API.Example.com", "https://api.example.com/x")).toBe(true);
    expect(allows("api.example.com", "http://API.EXAMPLE.COM:8080/x")).toBe(true);
    expect(allows("api.example.com:8080", "http://api.example.com:8080/x")).toBe(true);
    expect(allows("api.example.com:8080", "http://api.example.com/x")).toBe(false);
    expect(allows("api.example.com:443", "https://api.example.com/x")).toBe(true);
    expect(allows("api.example.com:443", "http://api.example.com/x")).toBe(false);
    expect(allows("example.com", "https://api.example.com/")).toBe(false);
    expect(allows("example.com", "https://example.com.evil.test/")).toBe(false);
    expect(allows("[::1]:8080", "http://[::1]:8080/")).toBe(true);
    expect(allows("127.0.0.1", "http://127.0.0.1:9/")).toBe(true);
  });

  it("takes only host or host:port", () => {
    for (const bad of [
      "https://example.com",
      "example.com/path",
      "user@example.com",
      "example.com:0",
      "example.com:99999",
      "",
      "a b",
    ])
      expect(parseAllowHost(bad), bad).toBeNull();
    expect(parseAllowHost(" Example.COM:8443 ")).toEqual({ host: "example.com", port: 8443 });
  });
});
