#!/usr/bin/env node
// The `offload` command: runs server/cli/cli.ts through tsx with the project's tsconfig.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.env.TSX_TSCONFIG_PATH ??= path.join(root, "tsconfig.json");
process.env.OFFLOAD_ROOT ??= root;
const { register } = await import("tsx/esm/api");
register();
await import(pathToFileURL(path.join(root, "server", "cli", "cli.ts")).href);
