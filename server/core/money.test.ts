import { describe, expect, it } from "vitest";
import { formatMicroUsd } from "./money";

describe("formatMicroUsd", () => {
  it("shows cents, sub-cent amounts to four places, and tiny amounts as such", () => {
    expect(formatMicroUsd(19_200_000n)).toBe("$19.20");
    expect(formatMicroUsd(2_800n)).toBe("$0.0028");
    expect(formatMicroUsd(3n)).toBe("<$0.0001");
    expect(formatMicroUsd(0n)).toBe("$0.00");
    expect(formatMicroUsd(-5_000_000n)).toBe("-$5.00");
    expect(formatMicroUsd(null)).toBe("unpriced");
  });
});
