// Agent API keys: random, shown once, stored as a SHA-256 hash with a short prefix for recognition.
import crypto from "node:crypto";

const KEY_PREFIX = "ofk_";

export type IssuedKey = { key: string; hash: string; prefix: string };

export function issueAgentKey(): IssuedKey {
  const key = KEY_PREFIX + crypto.randomBytes(24).toString("base64url");
  return { key, hash: hashAgentKey(key), prefix: key.slice(0, 12) };
}

export function hashAgentKey(key: string): string {
  return crypto.createHash("sha256").update(key, "utf8").digest("hex");
}
