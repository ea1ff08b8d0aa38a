// Test helper for the real-client suite: the Claude lane's contract (DESIGN "Interfaces", issue
// 12) as assertions. Pairs each request the client sent with the one that reached the fake
// Anthropic, then checks, softly so that one run reports every difference: the request arrived
// unchanged but for hop-by-hop headers, Host, Content-Length and the credential (the operator's
// key in, the agent's Offload key out); the answer came back unchanged plus the x-offload-* headers.
import { expect } from "vitest";
import type { RecordedExchange } from "./recording-proxy";
import { ANTHROPIC_RESPONSE_HEADERS, OPERATOR_KEY, type Harness, type RecordedTurn } from "./harness";

export type ExchangePair = { client: RecordedExchange; upstream: RecordedExchange | undefined };

/** Headers a proxy may legitimately drop or set itself (RFC 9110 7.6.1), and the ones the contract names. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
];
const REQUEST_EXEMPT = new Set([...HOP_BY_HOP, "host", "content-length", "x-api-key", "authorization"]);
/** Every HTTP server stamps its own Date; the rest of Anthropic's headers must pass. */
const RESPONSE_EXEMPT = new Set([...HOP_BY_HOP, "content-length", "date"]);

const pathOf = (url: string) => url.split("?")[0]!;

function parseJson(body: Buffer): any {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function without(headers: Record<string, string>, exempt: Set<string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !exempt.has(name)));
}

/**
 * Matches each client request with the request Offload made to Anthropic for it: identical bytes
 * first, then the same conversation (messages and tools) on the same path, then arrival order on
 * the same path. A client request left without a partner was not forwarded.
 */
export function pairExchanges(client: RecordedExchange[], upstream: RecordedExchange[]): ExchangePair[] {
  const free = [...upstream];
  const take = (pick: (u: RecordedExchange) => boolean) => {
    const i = free.findIndex(pick);
    return i < 0 ? undefined : free.splice(i, 1)[0];
  };
  const conversation = (e: RecordedExchange) => {
    const body = parseJson(e.request.body);
    return body && typeof body === "object" ? JSON.stringify([body.messages, body.tools, body.system]) : null;
  };
  const pairs = client.map((c) => ({ client: c, upstream: take((u) => u.request.body.equals(c.request.body)) }));
  for (const p of pairs) {
    if (p.upstream) continue;
    const key = conversation(p.client);
    p.upstream = take(
      (u) => pathOf(u.request.url) === pathOf(p.client.request.url) && key !== null && conversation(u) === key,
    );
  }
  for (const p of pairs) {
    if (p.upstream) continue;
    p.upstream = take((u) => pathOf(u.request.url) === pathOf(p.client.request.url));
  }
  return pairs;
}

/** Where two byte strings first differ, with a little context on each side; null when identical. */
export function firstDifference(actual: Buffer, expected: Buffer): string | null {
  if (actual.equals(expected)) return null;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const around = (b: Buffer) => b.subarray(Math.max(0, i - 30), i + 50).toString("utf8");
  return `first difference at byte ${i}: ‹${around(actual)}› instead of ‹${around(expected)}›`;
}

function excerpt(body: Buffer, max = 400): string {
  const text = body.toString("utf8");
  return text.length > max ? `${text.slice(0, max)}… (${text.length} bytes)` : text;
}

/** What a request's label says in assertion messages: `claude-code default-model #0 POST /v1/messages?beta=true`. */
export function labelOf(caseName: string, index: number, e: RecordedExchange): string {
  return `${caseName} #${index} ${e.request.method} ${e.request.url}`;
}

/** The request reached Anthropic as the client sent it, with the operator's credential instead of the agent's. */
export function expectRequestForwardedUnchanged(label: string, pair: ExchangePair, agentKey: string): void {
  const sent = pair.client.request;
  const answered = pair.client.response;
  const got = pair.upstream?.request;
  expect
    .soft(
      got,
      `${label}: was not forwarded to Anthropic (Offload answered ${answered?.status ?? "nothing"}: ${
        answered ? excerpt(answered.body) : pair.client.error
      })`,
    )
    .toBeDefined();
  if (!got) return;

  expect.soft(got.method, `${label}: method`).toBe(sent.method);
  expect.soft(got.url, `${label}: path and query`).toBe(sent.url);
  expect.soft(got.headers["anthropic-version"], `${label}: anthropic-version`).toBe(sent.headers["anthropic-version"]);
  expect.soft(got.headers["anthropic-beta"], `${label}: anthropic-beta`).toBe(sent.headers["anthropic-beta"]);
  const sentBody = parseJson(sent.body);
  const gotBody = parseJson(got.body);
  expect.soft(gotBody?.model, `${label}: the requested model`).toBe(sentBody?.model);
  expect.soft(gotBody, `${label}: body (parsed)`).toEqual(sentBody);
  const bodyDiff = firstDifference(got.body, sent.body);
  expect
    .soft(
      bodyDiff === null,
      `${label}: body bytes identical (${got.body.length} forwarded, ${sent.body.length} sent): ${bodyDiff}`,
    )
    .toBe(true);
  expect
    .soft(
      without(got.headers, REQUEST_EXEMPT),
      `${label}: headers other than hop-by-hop, host, content-length, credential`,
    )
    .toEqual(without(sent.headers, REQUEST_EXEMPT));

  // The credential: the operator's key reaches Anthropic, the agent's Offload key never does.
  const operatorSent =
    got.headers["x-api-key"] === OPERATOR_KEY || got.headers.authorization === `Bearer ${OPERATOR_KEY}`;
  expect
    .soft(operatorSent, `${label}: Anthropic got the operator's key (x-api-key or Authorization: Bearer)`)
    .toBe(true);
  const leaked = got.rawHeaders.filter(([, value]) => value.includes(agentKey)).map(([name]) => name);
  expect.soft(leaked, `${label}: headers carrying the agent's Offload key to Anthropic`).toEqual([]);
  expect.soft(got.body.includes(agentKey), `${label}: the agent's Offload key in the forwarded body`).toBe(false);
}

/** The client got Anthropic's answer unchanged (status, headers, bytes), plus Offload's x-offload-* headers. */
export function expectAnswerPassedUnchanged(
  label: string,
  pair: ExchangePair,
  expected: { lane: string; model: string | undefined; turn: boolean },
): void {
  const received = pair.client.response;
  expect.soft(received, `${label}: the client got no answer (${pair.client.error ?? "?"})`).toBeTruthy();
  if (!received) return;
  const status = `status ${received.status}`;
  expect.soft(received.headers["x-offload-lane"], `${label}: x-offload-lane (${status})`).toBe(expected.lane);
  if (expected.model !== undefined)
    expect.soft(received.headers["x-offload-model"], `${label}: x-offload-model (${status})`).toBe(expected.model);
  expect.soft(received.headers["x-offload-reason"], `${label}: x-offload-reason (${status})`).toBeTruthy();
  if (expected.turn)
    expect.soft(received.headers["x-offload-turn-id"], `${label}: x-offload-turn-id (${status})`).toBeTruthy();

  const original = pair.upstream?.response;
  if (!original) return; // not forwarded: reported by expectRequestForwardedUnchanged
  expect.soft(received.status, `${label}: status`).toBe(original.status);
  const names = Object.keys(without(original.headers, RESPONSE_EXEMPT));
  const pick = (headers: Record<string, string>) => Object.fromEntries(names.map((n) => [n, headers[n]]));
  expect.soft(pick(received.headers), `${label}: Anthropic's headers on the answer`).toEqual(pick(original.headers));
  // The fake did send its rate-limit and organization headers (else the check above proves nothing about them).
  const own = Object.keys(ANTHROPIC_RESPONSE_HEADERS);
  expect
    .soft(
      own.filter((n) => original.headers[n] !== ANTHROPIC_RESPONSE_HEADERS[n]),
      `${label}: the fake's own headers`,
    )
    .toEqual([]);
  const answerDiff = firstDifference(received.body, original.body);
  expect
    .soft(
      answerDiff === null,
      `${label}: answer bytes identical (${received.body.length} received, ${original.body.length} sent by Anthropic): ${answerDiff}`,
    )
    .toBe(true);
}

/** Offload recorded a turn for each Messages request it answered, with the requested and served model. */
export async function expectTurnsRecorded(
  harness: Harness,
  agentId: string,
  caseName: string,
  pairs: ExchangePair[],
): Promise<void> {
  const messages = pairs.filter((p) => pathOf(p.client.request.url) === "/v1/messages");
  const ids = messages.map((p) => p.client.response?.headers["x-offload-turn-id"]);
  // Turns are written in batches; give the writer a moment.
  let turns: RecordedTurn[] = [];
  for (let i = 0; i < 40; i++) {
    turns = await harness.agentTurns(agentId);
    if (ids.every((id) => !id || turns.some((t) => t.id === id))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  messages.forEach((p, i) => {
    const label = labelOf(caseName, pairs.indexOf(p), p.client);
    const id = ids[i];
    if (!id) return; // reported by expectAnswerPassedUnchanged
    const turn = turns.find((t) => t.id === id);
    expect.soft(turn, `${label}: turn ${id} among the agent's recent turns`).toBeDefined();
    if (!turn) return;
    const requested = parseJson(p.client.request.body)?.model;
    expect.soft(turn.lane, `${label}: turn's lane`).toBe("claude");
    expect.soft(turn.requestedModel, `${label}: turn's requested model`).toBe(requested);
    expect.soft(turn.servedModel, `${label}: turn's served model`).toBe(requested);
    expect.soft(turn.status, `${label}: turn's status (${turn.errorMessage ?? ""})`).toBe("ok");
  });
}

/** All of the above for one case on the Claude lane. */
export async function expectTransparentCase(
  harness: Harness,
  options: { caseName: string; agentId: string; agentKey: string; pairs: ExchangePair[]; upstreamCount: number },
): Promise<void> {
  const { caseName, pairs } = options;
  expect.soft(pairs.length, `${caseName}: the client sent requests`).toBeGreaterThan(0);
  expect
    .soft(options.upstreamCount, `${caseName}: requests that reached Anthropic (one per client request)`)
    .toBe(pairs.length);
  pairs.forEach((pair, i) => {
    const label = labelOf(caseName, i, pair.client);
    const isMessages = pathOf(pair.client.request.url) === "/v1/messages";
    expectRequestForwardedUnchanged(label, pair, options.agentKey);
    expectAnswerPassedUnchanged(label, pair, {
      lane: "claude",
      model: parseJson(pair.client.request.body)?.model,
      turn: isMessages,
    });
  });
  await expectTurnsRecorded(harness, options.agentId, caseName, pairs);
}

/** A short description of what a client sent, for the test log and the report. */
export function describeRequests(caseName: string, exchanges: RecordedExchange[]): string {
  return exchanges
    .map((e, i) => {
      const body = parseJson(e.request.body) ?? {};
      const system = Array.isArray(body.system) ? `${body.system.length} blocks` : typeof body.system;
      const roles = Array.isArray(body.messages) ? body.messages.map((m: any) => m.role).join(",") : "-";
      const fields = [
        `model=${body.model}`,
        `stream=${body.stream}`,
        `max_tokens=${body.max_tokens}`,
        `system=${system}`,
        `roles=${roles}`,
        `tools=${Array.isArray(body.tools) ? body.tools.length : 0}`,
        `thinking=${JSON.stringify(body.thinking)}`,
        `context_management=${JSON.stringify(body.context_management)}`,
        `output_config=${JSON.stringify(body.output_config)}`,
        `bytes=${e.request.body.length}`,
      ];
      const h = e.request.headers;
      const headers = [
        `anthropic-version=${h["anthropic-version"]}`,
        `anthropic-beta=${h["anthropic-beta"]}`,
        `user-agent=${h["user-agent"]}`,
        `x-app=${h["x-app"]}`,
      ];
      return `${caseName} #${i} ${e.request.method} ${e.request.url} -> ${e.response?.status ?? e.error}\n  ${fields.join(" ")}\n  ${headers.join(" ")}`;
    })
    .join("\n");
}
