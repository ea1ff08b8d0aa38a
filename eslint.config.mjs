// ESLint: typescript-eslint's recommended rules, React hooks, Next's rules, and the layer rules
// of the architecture (README "Module map") as import boundaries. `npm run lint` runs it with
// Prettier's check; `npm test` runs lint first, so CI fails on a violation.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import boundaries from "eslint-plugin-boundaries";
import reactHooks from "eslint-plugin-react-hooks";
import nextPlugin from "@next/eslint-plugin-next";
import prettier from "eslint-config-prettier";

// Each layer is a folder; the first pattern that matches a file's folder names its layer.
const ELEMENTS = [
  { type: "core", pattern: "server/core/**" },
  { type: "db", pattern: "server/db/**" },
  { type: "providers", pattern: "server/providers/**" },
  { type: "gateway", pattern: "server/gateway/**" },
  { type: "api", pattern: "server/api/**" },
  { type: "cli", pattern: "server/cli/**" },
  { type: "bench", pattern: "server/bench/**" },
  { type: "testing", pattern: "server/testing/**" },
  { type: "process", pattern: "server/process/**" },
  { type: "runtime", pattern: "server/runtime/**" },
  { type: "services", pattern: "server/*/**" },
  { type: "trpc", pattern: "trpc/**" },
  { type: "components", pattern: "components/**" },
  { type: "app", pattern: "app/**" },
  { type: "e2e", pattern: "e2e/**" },
];

const types = (...names) => ({ to: { element: { types: { anyOf: names } } } });
const typesOnly = (...names) => ({ ...types(...names), dependency: { kind: "type" } });
const SERVER = ["core", "process", "db", "providers", "gateway", "api", "services", "runtime"];

// Who may import whom. Anything not allowed here is an error. Tests (*.test.ts) and the test
// helpers in server/testing/ and e2e/ may import anything.
const POLICIES = [
  // Pure rules: no framework, database, network or other project module.
  { from: { element: { type: "core" } }, allow: types("core") },
  // The environment and process-wide state: read by every server layer, importing none.
  // (The registry names the types of the state it holds for other layers: types only.)
  { from: { element: { type: "process" } }, allow: types("process") },
  { from: { element: { type: "process" } }, allow: typesOnly(...SERVER) },
  { from: { element: { type: "db" } }, allow: types("core", "process", "db") },
  // Providers talk to Claude and Ollama; they never touch the database.
  { from: { element: { type: "providers" } }, allow: types("core", "process", "providers") },
  // The gateway never imports tRPC code.
  {
    from: { element: { type: "gateway" } },
    allow: types("core", "process", "db", "providers", "gateway", "services"),
  },
  {
    from: { element: { type: "services" } },
    allow: types("core", "process", "db", "providers", "gateway", "services"),
  },
  // tRPC never imports React components.
  {
    from: { element: { type: "api" } },
    allow: types("core", "process", "db", "providers", "gateway", "services", "api"),
  },
  // Starting and serving the process: may reach every server layer.
  { from: { element: { type: "runtime" } }, allow: types(...SERVER) },
  { from: { element: { type: "cli" } }, allow: types(...SERVER, "cli") },
  { from: { element: { type: "bench" } }, allow: types(...SERVER, "bench", "testing") },
  { from: { element: { type: "testing" } }, allow: types(...SERVER, "testing", "cli") },
  // The tRPC glue for React: the client link and provider, and the server-side prefetch helpers.
  { from: { element: { type: "trpc" } }, allow: types("trpc", "api", "core") },
  // Components run in the browser: the pure core (lanes, money, chart preparation, projections) and
  // the tRPC hooks; anything else on the server only as types (prefer inferRouterOutputs).
  { from: { element: { type: "components" } }, allow: types("components", "core", "trpc") },
  { from: { element: { type: "components" } }, allow: typesOnly("api") },
  // Routes are thin: they hand off to server/ and render components.
  { from: { element: { type: "app" } }, allow: types("app", "components", "trpc", ...SERVER) },
  { from: { element: { types: { anyOf: ["e2e"] } } }, allow: types(...SERVER, "testing", "cli", "e2e") },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      ".data/**",
      ".test-data/**",
      "test-artifacts/**",
      "server/db/generated/**",
      "next-env.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["../../*"], message: "Import from another folder through '@/...'." }] },
      ],
    },
  },
  {
    // Tests and the fake providers handle arbitrary JSON bodies as tests see fit.
    files: ["**/*.test.ts", "**/*.test.tsx", "server/testing/**", "e2e/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Plain Node scripts (the `offload` bin, configs).
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  {
    files: ["app/**/*.tsx", "components/**/*.tsx", "trpc/**/*.tsx"],
    plugins: { "react-hooks": reactHooks, "@next/next": nextPlugin },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
    },
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    plugins: { boundaries },
    settings: {
      "boundaries/elements": ELEMENTS,
      "boundaries/include": ["app/**", "components/**", "server/**", "trpc/**", "e2e/**", "*.ts"],
      "import/resolver": { typescript: { alwaysTryTypes: true, project: "./tsconfig.json" } },
    },
    rules: {
      "boundaries/dependencies": ["error", { default: "disallow", policies: POLICIES }],
    },
  },
  prettier,
);
