/** Runs node with these arguments in the project folder, passing SIGINT/SIGTERM on; resolves with its exit code. */
export function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<number>;
