// A module resolution hook (see register.mjs): `server-only` resolves as it does in React's
// server environment (its empty module) instead of the browser-facing one that throws.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === "server-only") {
    return nextResolve(specifier, { ...context, conditions: [...context.conditions, "react-server"] });
  }
  return nextResolve(specifier, context);
}
