// The file actions, run with zero model calls on paths confined to the work dir (confine-path.ts):
// write (creating parent folders), append (creating the file, and its folders, when missing),
// read (text, at most 10 MB), list (name, type and size, sorted by name), rename (never over an
// existing target) and delete (a file or a symlink, never a folder). Every check runs before
// anything is written, so a refused action leaves the work dir as it was.
import fs from "node:fs/promises";
import path from "node:path";
import type { SidecarAction, SidecarResult } from "@/server/core/tasks/sidecar-actions";
import { ActionError } from "./action-error";
import { confinePath } from "./confine-path";

export type FileAction = Extract<SidecarAction, { action: `file.${string}` }>;

/** The largest file file.read returns; a larger one is refused rather than cut. */
export const READ_MAX_BYTES = 10 * 1024 * 1024;

type EntryType = "file" | "directory" | "symlink" | "other";

const entryType = (d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType =>
  d.isSymbolicLink() ? "symlink" : d.isFile() ? "file" : d.isDirectory() ? "directory" : "other";

/** The OS's error as a sentence about the path the task named (ENOENT, EISDIR...). */
function failure(action: string, relative: string, err: unknown): ActionError {
  if (err instanceof ActionError) return err;
  const e = err as NodeJS.ErrnoException;
  const what: Record<string, string> = {
    ENOENT: "does not exist",
    EISDIR: "is a folder",
    ENOTDIR: "has a file where a folder should be",
    EACCES: "is not accessible (permission denied)",
    EPERM: "is not accessible (operation not permitted)",
    ENOTEMPTY: "is a folder that is not empty",
    EEXIST: "already exists",
  };
  return new ActionError("failed", `${action} ${relative}: ${(e.code && what[e.code]) ?? e.message}`);
}

async function lstatOrNull(p: string) {
  return fs.lstat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw err;
  });
}

/** Runs one file action in `workdir` (a real path); an ActionError says why it was refused or failed. */
export async function runFileAction(action: FileAction, workdir: string): Promise<SidecarResult> {
  switch (action.action) {
    case "file.write":
    case "file.append": {
      const target = await confinePath(workdir, action.path);
      try {
        await fs.mkdir(path.dirname(target.absolute), { recursive: true });
        if (action.action === "file.write") await fs.writeFile(target.absolute, action.content, "utf8");
        else await fs.appendFile(target.absolute, action.content, "utf8");
      } catch (err) {
        throw failure(action.action, target.relative, err);
      }
      // bytes: what this action wrote (for append, the bytes appended, not the file's new size).
      return { action: action.action, path: target.relative, bytes: Buffer.byteLength(action.content, "utf8") };
    }
    case "file.read": {
      const target = await confinePath(workdir, action.path, { allowWorkdir: true });
      try {
        const stat = await fs.stat(target.absolute);
        if (!stat.isFile()) throw new ActionError("failed", `file.read ${target.relative}: not a file`);
        if (stat.size > READ_MAX_BYTES)
          throw new ActionError(
            "failed",
            `file.read ${target.relative}: ${stat.size} bytes, more than the ${READ_MAX_BYTES} bytes (10 MB) a read returns`,
          );
        const data = await fs.readFile(target.absolute);
        if (data.length > READ_MAX_BYTES)
          throw new ActionError("failed", `file.read ${target.relative}: grew past 10 MB while being read`);
        return { action: "file.read", path: target.relative, content: data.toString("utf8"), bytes: data.length };
      } catch (err) {
        throw failure("file.read", target.relative, err);
      }
    }
    case "file.list": {
      const target = await confinePath(workdir, action.path, { allowWorkdir: true });
      try {
        const dirents = await fs.readdir(target.absolute, { withFileTypes: true });
        const entries = await Promise.all(
          dirents.map(async (d) => {
            const type = entryType(d);
            if (type !== "file") return { name: d.name, type };
            const stat = await lstatOrNull(path.join(target.absolute, d.name));
            return stat ? { name: d.name, type, bytes: stat.size } : { name: d.name, type };
          }),
        );
        // Sorted by code unit, not by locale: the same order on every machine.
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        return { action: "file.list", path: target.relative, entries };
      } catch (err) {
        throw failure("file.list", target.relative, err);
      }
    }
    case "file.rename": {
      const from = await confinePath(workdir, action.from);
      const to = await confinePath(workdir, action.to);
      try {
        if (!(await lstatOrNull(from.absolute)))
          throw new ActionError("failed", `file.rename ${from.relative}: does not exist`);
        if (await lstatOrNull(to.absolute))
          throw new ActionError(
            "refused",
            `file.rename ${from.relative} -> ${to.relative}: ${to.relative} already exists (rename never overwrites)`,
          );
        await fs.mkdir(path.dirname(to.absolute), { recursive: true });
        await fs.rename(from.absolute, to.absolute);
      } catch (err) {
        throw failure("file.rename", `${from.relative} -> ${to.relative}`, err);
      }
      return { action: "file.rename", from: from.relative, to: to.relative };
    }
    case "file.delete": {
      const target = await confinePath(workdir, action.path);
      try {
        const stat = await lstatOrNull(target.absolute);
        if (!stat) throw new ActionError("failed", `file.delete ${target.relative}: does not exist`);
        if (stat.isDirectory())
          throw new ActionError("refused", `file.delete ${target.relative}: is a folder; delete removes files only`);
        await fs.unlink(target.absolute);
      } catch (err) {
        throw failure("file.delete", target.relative, err);
      }
      return { action: "file.delete", path: target.relative };
    }
  }
}
