// JSON paths into a parsed OpenClaw config (["agents", "list", 2, "model"]): reading and writing the
// value at one, the one way a path is shown to the operator, and the JSON tests the module shares
// (is this an object, are two values equal).

export type JsonPath = (string | number)[];

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/** A JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A path as OpenClaw's CLI spells one: `agents.list[2].model`, `agents.defaults.models["anthropic/claude-opus-4-6"]`. */
export function formatJsonPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text || "(root)";
}

/** The value at a path; undefined when any step is missing. */
export function readAtPath(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof segment === "number") {
      if (!Array.isArray(value)) return undefined;
      value = value[segment];
    } else {
      if (!isRecord(value) || !Object.hasOwn(value, segment)) return undefined;
      value = value[segment];
    }
  }
  return value;
}

/** Sets the value at a path in place, creating missing objects (arrays before a number); undefined removes the key. */
export function writeAtPath(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  if (path.length === 0) throw new Error("writeAtPath needs a non-empty path");
  let parent: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i] as string | number;
    const container = parent as Record<string | number, unknown>;
    let next = container[segment];
    if (typeof next !== "object" || next === null) {
      if (value === undefined) return;
      next = typeof path[i + 1] === "number" ? [] : {};
      container[segment] = next;
    }
    parent = next;
  }
  const last = path[path.length - 1] as string | number;
  if (value !== undefined) (parent as Record<string | number, unknown>)[last] = value;
  else if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
  else delete (parent as Record<string, unknown>)[last];
}

/** Whether two JSON values are equal (objects by keys regardless of order, arrays in order). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  if (keys.length !== Object.keys(b).filter((key) => b[key] !== undefined).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]));
}
