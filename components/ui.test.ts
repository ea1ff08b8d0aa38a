import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { Ago } from "./ui";

describe("Ago", () => {
  const now = new Date("2026-12-01T06:00:00.000Z");

  it("says how long ago, with the exact instant in the element for hover and machines", () => {
    const html = renderToStaticMarkup(createElement(Ago, { at: "2026-12-01T05:58:00.000Z", now }));
    expect(html).toBe('<time dateTime="2026-12-01T05:58:00.000Z" title="2026-12-01T05:58:00.000Z">2 min ago</time>');
  });

  it("takes a Date as well as the ISO string a query returns", () => {
    const html = renderToStaticMarkup(createElement(Ago, { at: new Date("2026-11-29T06:00:00.000Z"), now }));
    expect(html).toContain(">2 days ago</time>");
  });

  it("says never, with no instant, for a time that has not happened", () => {
    expect(renderToStaticMarkup(createElement(Ago, { at: null, now }))).toBe("<span>never</span>");
  });
});
