#!/usr/bin/env node
// The `offload` command: runs server/cli/cli.ts through Offload's loader setup (tsx, the project's tsconfig).
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.env.OFFLOAD_ROOT ??= root;
await import(pathToFileURL(path.join(root, "server", "runtime", "register.mjs")).href);
await import(pathToFileURL(path.join(root, "server", "cli", "cli.ts")).href);
