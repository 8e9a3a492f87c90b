/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and wasm database drivers must be loaded by Node, not bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "@prisma/client", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg", "undici"],
  poweredByHeader: false,
  // `npm run typecheck` checks types; the first `npm start` should not wait for it.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
