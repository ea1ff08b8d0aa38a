// replaceModel: an operator mapping changes the body's model and no other byte.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { replaceModel } from "./replace-model";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("replaceModel", () => {
  it("changes only the top-level model's value, byte for byte", () => {
    const body =
      '{ "messages":[{"role":"user","content":"model: \\"x\\" {["}],\n  "model" :  "claude-opus-4-6", "max_tokens":1.0e3}';
    const out = dec(replaceModel(enc(body), "claude-sonnet-4-6")!);
    expect(out).toBe(body.replace('"claude-opus-4-6"', '"claude-sonnet-4-6"'));
  });

  it("leaves nested model keys alone and takes the last top-level one, as JSON.parse does", () => {
    const body = '{"model":"a","metadata":{"model":"nested"},"tools":[{"model":"t"}],"model":"b"}';
    const out = dec(replaceModel(enc(body), "c")!);
    expect(JSON.parse(out)).toEqual({ ...JSON.parse(body), model: "c" });
    expect(out).toBe('{"model":"a","metadata":{"model":"nested"},"tools":[{"model":"t"}],"model":"c"}');
  });

  it("keeps multi-byte text and escapes untouched, and finds an escaped key", () => {
    const body = '{"system":"caf\u00e9 \\u00e9 \ud83d\ude00","mod\\u0065l":"x"}';
    const out = dec(replaceModel(enc(body), "y")!);
    expect(out).toBe('{"system":"caf\u00e9 \\u00e9 \ud83d\ude00","mod\\u0065l":"y"}');
  });

  it("returns null without a top-level model string", () => {
    expect(replaceModel(enc('{"messages":[]}'), "x")).toBeNull();
    expect(replaceModel(enc('{"model":5}'), "x")).toBeNull();
    expect(replaceModel(enc('{"a":{"model":"x"}}'), "x")).toBeNull();
  });

  it("agrees with JSON.parse on any object", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.string(), (rest, model, to) => {
        const body = JSON.stringify({ ...rest, model });
        const out = replaceModel(enc(body), to);
        expect(out).not.toBeNull();
        expect(JSON.parse(dec(out!))).toEqual(JSON.parse(JSON.stringify({ ...rest, model: to })));
      }),
    );
  });
});
