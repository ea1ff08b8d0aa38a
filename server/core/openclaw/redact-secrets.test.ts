import { describe, expect, it } from "vitest";
import { redactSecrets } from "./redact-secrets";

describe("redactSecrets", () => {
  it("hides credentials in a diff, not the variables that name them", () => {
    const diff = [
      '-        apiKey: "sk-ant-secret-value",',
      '+    "apiKey": "sk-ant-secret-value",',
      "   'token': 'abc123',",
      '+      "apiKey": "${OFFLOAD_KEY_OPS}",',
      '+      "maxTokens": 8192,',
      '   "baseUrl": "http://127.0.0.1:3000",',
    ].join("\n");
    const shown = redactSecrets(diff);
    expect(shown).not.toContain("sk-ant-secret-value");
    expect(shown).not.toContain("abc123");
    expect(shown).toContain('apiKey: "[hidden]"');
    expect(shown).toContain("'token': '[hidden]'");
    expect(shown).toContain('"apiKey": "${OFFLOAD_KEY_OPS}"');
    expect(shown).toContain('"maxTokens": 8192');
    expect(shown).toContain('"baseUrl": "http://127.0.0.1:3000"');
  });
});
