// Global setup of `npm run test:clients`: installs (or reuses) the real clients in the cache
// outside the tracked tree and hands their paths to the test files.
import type { TestProject } from "vitest/node";
import { installClients, type InstalledClients } from "./install-clients";

declare module "vitest" {
  export interface ProvidedContext {
    clients: InstalledClients;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const clients = await installClients((line) => console.log(line));
  project.provide("clients", clients);
}
