// Where a path an action names really is, refused unless it is strictly inside the work dir. The
// path is resolved against the work dir (absolute paths and `..` that climb out are refused), then
// the real path of its nearest existing folder is taken, so a symlink anywhere on the way (the
// file itself, or a parent folder) that leads out of the work dir is refused too. A symlink that
// stays inside is fine: reading or writing follows it, deleting or renaming acts on the link.
// Between this check and the action another process could swap a folder for a symlink; the
// sidecar guards against tasks, not against other programs writing in the work dir. Nothing inside
// a `.git` folder is reachable: a hook or config written there would run at the next git action.
import fs from "node:fs/promises";
import path from "node:path";
import { ActionError } from "./action-error";

export type ConfinedPath = {
  /** The path to act on: the real path of its folder, then its own name. */
  absolute: string;
  /** The path relative to the work dir, with `/` separators (`.` for the work dir itself). */
  relative: string;
};

const refuse = (message: string) => new ActionError("refused", message);

async function lstatOrNull(p: string) {
  try {
    return await fs.lstat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new ActionError("failed", `cannot look at ${p}: ${(err as Error).message}`);
  }
}

function isInside(workdir: string, p: string): boolean {
  const rel = path.relative(workdir, p);
  return rel === "" || (!rel.startsWith(`..${path.sep}`) && rel !== ".." && !path.isAbsolute(rel));
}

/** The real path of `p` (which exists), refused when a symlink takes it out of the work dir. */
async function realInside(workdir: string, p: string, given: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(p);
  } catch {
    throw refuse(`"${given}" goes through a symlink whose target does not exist (or loops)`);
  }
  if (!isInside(workdir, real)) throw refuse(`"${given}" goes through a symlink that leads outside the work dir`);
  return real;
}

/**
 * `given` resolved inside `workdir` (which must already be a real path, see fs.realpath), or an
 * ActionError("refused"). The work dir itself is refused unless `allowWorkdir` (list, git add).
 */
export async function confinePath(
  workdir: string,
  given: string,
  options: { allowWorkdir?: boolean } = {},
): Promise<ConfinedPath> {
  if (given.includes("\u0000")) throw refuse("a path may not contain NUL characters");
  if (path.isAbsolute(given) || /^[A-Za-z]:[\\/]/.test(given) || given.startsWith("\\"))
    throw refuse(`"${given}" is an absolute path; give a path relative to the work dir`);
  const lexical = path.resolve(workdir, given);
  if (!isInside(workdir, lexical)) throw refuse(`"${given}" is outside the work dir`);
  const relative = path.relative(workdir, lexical).split(path.sep).join("/");
  // A repository's own folder holds its hooks and config: a file written there runs at the next git action.
  if (relative.split("/").some((segment) => segment.toLowerCase() === ".git"))
    throw refuse(`"${given}" is inside a .git folder, which file actions may not touch (its hooks would run as code)`);
  if (relative === "") {
    if (!options.allowWorkdir) throw refuse(`"${given}" is the work dir itself; give a path inside it`);
    return { absolute: workdir, relative: "." };
  }

  // The nearest folder on the way that exists, and the names below it that do not exist yet.
  let existing = path.dirname(lexical);
  const missing: string[] = [];
  while (existing !== workdir && !(await lstatOrNull(existing))) {
    missing.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  const folder = path.join(await realInside(workdir, existing, given), ...missing);
  const absolute = path.join(folder, path.basename(lexical));
  if (missing.length === 0) {
    const stat = await lstatOrNull(absolute);
    if (stat?.isSymbolicLink()) await realInside(workdir, absolute, given);
  }
  return { absolute, relative };
}
