// The file actions against a temporary work dir: each does exactly what it says, and every way out
// of the work dir (`..`, absolute paths, a symlink as the file or as a parent folder) is refused
// with a clear error and nothing written, inside or outside.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ActionError } from "./action-error";
import { confinePath } from "./confine-path";
import { READ_MAX_BYTES, runFileAction, type FileAction } from "./run-file-action";
import { runSidecarAction } from "./run-sidecar-action";

const roots: string[] = [];
afterAll(() => roots.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

let root: string; // holds `work` (the work dir) and `outside` (a folder next to it)
let work: string;
let outside: string;
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "offload-sidecar-files-")));
  roots.push(root);
  work = path.join(root, "work");
  outside = path.join(root, "outside");
  fs.mkdirSync(work);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
});

const run = (action: FileAction) => runFileAction(action, work);

/** Every file and folder under `dir`, relative, sorted: what "nothing written" is checked against. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

async function refusal(action: FileAction): Promise<ActionError> {
  const err = await run(action).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

describe("file actions do what they say", () => {
  it("write creates parent folders and replaces a file; the result names the path and the bytes written", async () => {
    expect(await run({ action: "file.write", path: "notes/day/x.txt", content: "héllo" })).toEqual({
      action: "file.write",
      path: "notes/day/x.txt",
      bytes: 6,
    });
    expect(fs.readFileSync(path.join(work, "notes/day/x.txt"), "utf8")).toBe("héllo");
    await run({ action: "file.write", path: "notes/day/x.txt", content: "new" });
    expect(fs.readFileSync(path.join(work, "notes/day/x.txt"), "utf8")).toBe("new");
  });

  it("append creates a missing file (and its folders), then appends", async () => {
    expect(await run({ action: "file.append", path: "log/a.log", content: "one\n" })).toEqual({
      action: "file.append",
      path: "log/a.log",
      bytes: 4,
    });
    await run({ action: "file.append", path: "log/a.log", content: "two\n" });
    expect(fs.readFileSync(path.join(work, "log/a.log"), "utf8")).toBe("one\ntwo\n");
  });

  it("read returns the content and size; a missing file, a folder and a file over 10 MB fail", async () => {
    fs.writeFileSync(path.join(work, "r.txt"), "read me");
    expect(await run({ action: "file.read", path: "./r.txt" })).toEqual({
      action: "file.read",
      path: "r.txt",
      content: "read me",
      bytes: 7,
    });
    expect((await refusal({ action: "file.read", path: "nope.txt" })).message).toBe(
      "file.read nope.txt: does not exist",
    );
    fs.mkdirSync(path.join(work, "dir"));
    expect((await refusal({ action: "file.read", path: "dir" })).message).toBe("file.read dir: not a file");
    const big = path.join(work, "big.bin");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, READ_MAX_BYTES + 1);
    expect((await refusal({ action: "file.read", path: "big.bin" })).message).toMatch(
      /file\.read big\.bin: 10485761 bytes, more than the 10485760 bytes \(10 MB\)/,
    );
    fs.truncateSync(big, READ_MAX_BYTES);
    expect(await run({ action: "file.read", path: "big.bin" })).toMatchObject({ bytes: READ_MAX_BYTES });
  });

  it("list gives name, type and size, sorted by name; the work dir itself is listed by default", async () => {
    fs.writeFileSync(path.join(work, "b.txt"), "bb");
    fs.writeFileSync(path.join(work, "a.txt"), "a");
    fs.mkdirSync(path.join(work, "c"));
    fs.writeFileSync(path.join(work, "c", "inner.txt"), "1234");
    fs.symlinkSync("a.txt", path.join(work, "link"));
    const parsed = await runSidecarAction({ action: "file.list" }, { workdir: work, allowHosts: [] });
    expect(parsed).toMatchObject({
      ok: true,
      result: {
        action: "file.list",
        path: ".",
        entries: [
          { name: "a.txt", type: "file", bytes: 1 },
          { name: "b.txt", type: "file", bytes: 2 },
          { name: "c", type: "directory" },
          { name: "link", type: "symlink" },
        ],
      },
    });
    expect(await run({ action: "file.list", path: "c" })).toEqual({
      action: "file.list",
      path: "c",
      entries: [{ name: "inner.txt", type: "file", bytes: 4 }],
    });
    expect((await refusal({ action: "file.list", path: "a.txt" })).message).toBe(
      "file.list a.txt: has a file where a folder should be",
    );
  });

  it("rename moves a file (creating the target's folders) and never overwrites", async () => {
    fs.writeFileSync(path.join(work, "from.txt"), "from");
    fs.writeFileSync(path.join(work, "taken.txt"), "taken");
    expect(await run({ action: "file.rename", from: "from.txt", to: "sub/to.txt" })).toEqual({
      action: "file.rename",
      from: "from.txt",
      to: "sub/to.txt",
    });
    expect(fs.readFileSync(path.join(work, "sub/to.txt"), "utf8")).toBe("from");
    expect(fs.existsSync(path.join(work, "from.txt"))).toBe(false);

    const before = tree(work);
    const err = await refusal({ action: "file.rename", from: "sub/to.txt", to: "taken.txt" });
    expect(err.kind).toBe("refused");
    expect(err.message).toBe("file.rename sub/to.txt -> taken.txt: taken.txt already exists (rename never overwrites)");
    expect(tree(work)).toEqual(before);
    expect(fs.readFileSync(path.join(work, "taken.txt"), "utf8")).toBe("taken");
    expect(fs.readFileSync(path.join(work, "sub/to.txt"), "utf8")).toBe("from");
    expect((await refusal({ action: "file.rename", from: "gone.txt", to: "x.txt" })).message).toBe(
      "file.rename gone.txt: does not exist",
    );
  });

  it("delete removes a file or a symlink (not its target), and refuses a folder", async () => {
    fs.writeFileSync(path.join(work, "d.txt"), "d");
    fs.symlinkSync("d.txt", path.join(work, "d-link"));
    expect(await run({ action: "file.delete", path: "d-link" })).toEqual({ action: "file.delete", path: "d-link" });
    expect(fs.existsSync(path.join(work, "d.txt"))).toBe(true);
    expect(await run({ action: "file.delete", path: "d.txt" })).toEqual({ action: "file.delete", path: "d.txt" });
    expect(fs.existsSync(path.join(work, "d.txt"))).toBe(false);
    fs.mkdirSync(path.join(work, "folder"));
    const err = await refusal({ action: "file.delete", path: "folder" });
    expect(err.message).toBe("file.delete folder: is a folder; delete removes files only");
    expect(fs.existsSync(path.join(work, "folder"))).toBe(true);
    expect((await refusal({ action: "file.delete", path: "d.txt" })).message).toBe("file.delete d.txt: does not exist");
  });

  it("follows a symlink that stays inside the work dir", async () => {
    fs.mkdirSync(path.join(work, "real"));
    fs.symlinkSync("real", path.join(work, "alias"));
    await run({ action: "file.write", path: "alias/x.txt", content: "via alias" });
    expect(fs.readFileSync(path.join(work, "real/x.txt"), "utf8")).toBe("via alias");
    expect(await run({ action: "file.read", path: "alias/x.txt" })).toMatchObject({ content: "via alias" });
  });
});

describe("file actions refuse to leave the work dir, and write nothing", () => {
  const escapes: [string, (work: string) => string, RegExp][] = [
    ["a .. escape", () => "../outside/x.txt", /"\.\.\/outside\/x\.txt" is outside the work dir/],
    ["a .. escape through a folder", () => "notes/../../x.txt", /"notes\/\.\.\/\.\.\/x\.txt" is outside the work dir/],
    [
      "an absolute path",
      () => path.join(outside, "x.txt"),
      /is an absolute path; give a path relative to the work dir/,
    ],
    ["an absolute path inside the work dir", (w) => path.join(w, "x.txt"), /is an absolute path/],
    ["a git hook", () => ".git/hooks/post-commit", /inside a \.git folder/],
    ["a nested repository's config", () => "vendor/lib/.GIT/config", /inside a \.git folder/],
  ];
  for (const [what, given, message] of escapes)
    it(`refuses ${what} for every action`, async () => {
      const p = given(work);
      const beforeRoot = tree(root);
      for (const action of [
        { action: "file.write", path: p, content: "x" },
        { action: "file.append", path: p, content: "x" },
        { action: "file.read", path: p },
        { action: "file.list", path: p },
        { action: "file.delete", path: p },
        { action: "file.rename", from: p, to: "y.txt" },
        { action: "file.rename", from: "y.txt", to: p },
      ] as FileAction[]) {
        const err = await refusal(action);
        expect(err.kind, action.action).toBe("refused");
        expect(err.message).toMatch(message);
      }
      expect(tree(root)).toEqual(beforeRoot);
    });

  it("refuses a symlink to a file outside: no read, no write through it", async () => {
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(work, "leak.txt"));
    for (const action of [
      { action: "file.read", path: "leak.txt" },
      { action: "file.write", path: "leak.txt", content: "overwritten" },
      { action: "file.append", path: "leak.txt", content: "more" },
    ] as FileAction[]) {
      const err = await refusal(action);
      expect(err.kind).toBe("refused");
      expect(err.message).toBe('"leak.txt" goes through a symlink that leads outside the work dir');
    }
    expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
  });

  it("refuses a symlinked parent folder that leads outside, however deep the path goes on", async () => {
    fs.symlinkSync(outside, path.join(work, "out"));
    const before = tree(root);
    for (const p of ["out/new.txt", "out/deeper/still/new.txt", "out/secret.txt"]) {
      const err = await refusal({ action: "file.write", path: p, content: "x" });
      expect(err.message).toBe(`"${p}" goes through a symlink that leads outside the work dir`);
    }
    expect((await refusal({ action: "file.list", path: "out" })).kind).toBe("refused");
    expect((await refusal({ action: "file.rename", from: "out/secret.txt", to: "mine.txt" })).kind).toBe("refused");
    expect(tree(root)).toEqual(before);
  });

  it("refuses a symlink whose target is missing (it could be created outside)", async () => {
    fs.symlinkSync(path.join(outside, "not-yet.txt"), path.join(work, "dangling"));
    const err = await refusal({ action: "file.write", path: "dangling", content: "x" });
    expect(err.message).toBe('"dangling" goes through a symlink whose target does not exist (or loops)');
    expect(fs.existsSync(path.join(outside, "not-yet.txt"))).toBe(false);
  });

  it("refuses the work dir itself for write, append, delete and rename", async () => {
    for (const action of [
      { action: "file.write", path: ".", content: "x" },
      { action: "file.append", path: "sub/..", content: "x" },
      { action: "file.delete", path: "." },
      { action: "file.rename", from: ".", to: "elsewhere" },
    ] as FileAction[]) {
      const err = await refusal(action);
      expect(err.message).toMatch(/is the work dir itself; give a path inside it/);
    }
    expect(tree(work)).toEqual([]);
  });

  it("confines a path to the real path of its folder, the work dir's own symlinks resolved", async () => {
    expect(await confinePath(work, "a/b/../c.txt")).toEqual({
      absolute: path.join(work, "a/c.txt"),
      relative: "a/c.txt",
    });
    expect(await confinePath(work, ".", { allowWorkdir: true })).toEqual({ absolute: work, relative: "." });
  });
});
