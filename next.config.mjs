// The Content-Security-Policy is set per request in proxy.ts: it carries a fresh script nonce.
const securityHeaders = [
  // Never run a JSON answer or a logged body as a script or a page.
  { key: "X-Content-Type-Options", value: "nosniff" },
  // CSP frame-ancestors says the same to current browsers; this header to older ones.
  { key: "X-Frame-Options", value: "DENY" },
  // Links out of the dashboard must not carry trace ids, session ids or filters in the Referer.
  { key: "Referrer-Policy", value: "same-origin" },
];

const noIndex = { key: "X-Robots-Tag", value: "noindex, nofollow" };

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and wasm database drivers must be loaded by Node, not bundled; ioredis too, so the
  // custom server and Next share one copy of it (and its one connection, lib/shared/redis.ts).
  serverExternalPackages: ["better-sqlite3", "pg", "@prisma/client", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "undici", "ioredis"],
  poweredByHeader: false,
  // server.ts compresses every response Next answers, at levels chosen by path (lib/http/compression.ts).
  compress: false,
  // `npm run typecheck` checks types; the first `npm start` should not wait for it.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // A share link's page and data are for whoever was given the link, never for a search engine
      // (the page also says so in <meta name="robots">).
      { source: "/share/:path*", headers: [noIndex] },
      { source: "/api/v1/shared/:path*", headers: [noIndex] },
    ];
  },
};

export default nextConfig;
