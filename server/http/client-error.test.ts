// node:http's own refusals (headers too large, a request it cannot parse) had empty bodies; with
// handleClientError on the server's `clientError` event they are Anthropic-shaped JSON, with the
// x-offload-* headers, and the connection closes.
import http from "node:http";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { handleClientError } from "./client-error";

type Raw = { status: number; headers: Record<string, string>; body: string; closed: boolean };

/** Sends raw bytes and reads everything until the server closes (or 3 s pass). */
function sendRaw(port: number, bytes: string | Buffer): Promise<Raw> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine?.split(" ")[1]), headers, body: text.slice(split + 4), closed });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      finish();
    }, 3_000);
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      clearTimeout(timer);
      finish();
    });
    socket.write(bytes);
  });
}

const servers: http.Server[] = [];
async function listen(withHandler: boolean): Promise<number> {
  const server = http.createServer((_req, res) => res.end("ok"));
  if (withHandler) server.on("clientError", handleClientError);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const hugeHeaders = `GET /v1/messages HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`;
const garbage = "HELLO /v1/messages HTTP/1.1\r\nhost: x\r\n\r\n";

describe("handleClientError", () => {
  it("reproduces the finding: node's own 431 and 400 have empty bodies", async () => {
    const port = await listen(false);
    const big = await sendRaw(port, hugeHeaders);
    expect(big.status).toBe(431);
    expect(big.body).toBe("");
    const bad = await sendRaw(port, garbage);
    expect(bad.status).toBe(400);
    expect(bad.body).toBe("");
  });

  it("answers headers over node's limit with a 431 in Anthropic's shape, then closes", async () => {
    const port = await listen(true);
    const res = await sendRaw(port, hugeHeaders);
    expect(res.status).toBe(431);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers.connection).toBe("close");
    expect(res.headers["x-offload-lane"]).toBe("none");
    expect(res.headers["x-offload-reason"]).toBe("the request's headers are too large");
    expect(JSON.parse(res.body)).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: "the request's headers are too large" },
    });
    expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.body));
    expect(res.closed).toBe(true);
  });

  it("answers a request node cannot parse with a 400 naming the problem, then closes", async () => {
    const port = await listen(true);
    for (const bytes of [
      garbage,
      "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 12\r\ncontent-length: 13\r\n\r\n",
      "POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api\u0001key: k\r\n\r\n",
      Buffer.from([0x50, 0x4f, 0x53, 0x54, 0x20, 0x2f, 0x00, 0xff, 0x20, 0x48, 0x0d, 0x0a, 0x0d, 0x0a]),
    ]) {
      const res = await sendRaw(port, bytes);
      expect(res.status, String(bytes)).toBe(400);
      const json = JSON.parse(res.body) as { type: string; error: { type: string; message: string } };
      expect(json.type).toBe("error");
      expect(json.error.type).toBe("invalid_request_error");
      expect(json.error.message).toMatch(/^malformed HTTP request: \S/);
      expect(res.closed).toBe(true);
    }
    // The server still answers well-formed requests.
    const ok = await fetch(`http://127.0.0.1:${port}/`);
    expect(await ok.text()).toBe("ok");
  });

  it("does not write into a socket that cannot take it", () => {
    let destroyed = false;
    let written = false;
    const socket = {
      writable: false,
      destroy: () => (destroyed = true),
      end: () => (written = true),
    } as unknown as net.Socket;
    handleClientError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), socket);
    expect(destroyed).toBe(true);
    expect(written).toBe(false);
  });
});
