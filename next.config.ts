import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native-module and WASM database drivers load from node_modules at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
};

export default nextConfig;
