import type { NextConfig } from "next";
import { API_CSP, COMMON_SECURITY_HEADERS } from "./server/auth/security-headers";

const common = Object.entries(COMMON_SECURITY_HEADERS).map(([key, value]) => ({ key, value }));

const nextConfig: NextConfig = {
  // Native-module and WASM database drivers load from node_modules at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "pg", "@prisma/adapter-pg"],
  poweredByHeader: false,
  // Security headers on everything Next answers; pages get their nonce'd Content-Security-Policy from proxy.ts.
  async headers() {
    return [
      { source: "/:path*", headers: common },
      { source: "/api/:path*", headers: [{ key: "content-security-policy", value: API_CSP }] },
      { source: "/v1/:path*", headers: [{ key: "content-security-policy", value: API_CSP }] },
      { source: "/logout", headers: [{ key: "content-security-policy", value: API_CSP }] },
    ];
  },
};

export default nextConfig;
