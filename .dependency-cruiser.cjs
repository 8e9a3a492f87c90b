/**
 * The house's layers, checked on every `npm test` (`npm run lint`): a back-arrow fails the
 * build instead of waiting for a reviewer. From the top:
 *
 *   app ─► components ─► lib/queries ─► lib/read-api, lib/settings, lib/ingest
 *        ─► lib/http ─► lib/auth ─► lib/storage ─► lib/domain, lib/contracts, lib/shared
 *
 * lib/live (the bus that tells live views what was stored) sits beside storage: ingest publishes
 * to it, the read API subscribes; it knows only the bottom three.
 *
 * A layer may import any layer below it, never one above; the bottom three import nothing of the
 * project but themselves (shared: config, process slots, the error type; contracts: the HTTP API's
 * wire types; domain: pure logic). lib/storage is the only door to the database. The browser's
 * side (components, queries) reaches the server only through HTTP, server actions and wire types.
 */
const LIB = "^lib/";

/** `from` may not import `to`: one rule per arrow the house forbids. */
function mayNotImport(name, comment, from, to, extra = {}) {
  return { name, comment, severity: "error", from: { path: from }, to: { path: to, ...extra } };
}

const below = {
  shared: "^lib/shared/",
  contracts: "^lib/contracts/",
  domain: "^lib/domain/",
};

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "Modules import one another in one direction only; a cycle means a module is in the wrong room.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    mayNotImport(
      "shared-imports-only-shared",
      "lib/shared is the floor: configuration, process slots, the error type, small utilities.",
      below.shared,
      "^(lib/(?!shared/)|app/|components/)",
    ),
    mayNotImport("contracts-import-only-contracts", "Wire types describe the HTTP API and depend on nothing else.", below.contracts, "^(lib/(?!contracts/)|app/|components/)"),
    mayNotImport(
      "domain-is-pure",
      "lib/domain is pure logic: no other layer, no I/O (pass data and time in).",
      below.domain,
      "^(lib/(?!domain/|contracts/)|app/|components/)",
    ),
    mayNotImport(
      "domain-does-no-io",
      "lib/domain does no I/O: no file system, network, processes, threads or database drivers.",
      below.domain,
      "^(fs|net|http|https|http2|child_process|worker_threads|dgram|node:(fs|net|http|https|http2|child_process|worker_threads|dgram))",
      { dependencyTypes: ["core"] },
    ),
    mayNotImport(
      "storage-is-below-everything-but-the-floor",
      "lib/storage knows tables and rows, not wire formats, auth or HTTP.",
      "^lib/storage/",
      "^(lib/(?!storage/|domain/|contracts/|shared/)|app/|components/)",
    ),
    {
      name: "storage-is-the-only-door",
      comment: "Only lib/storage talks to the database (Prisma, better-sqlite3, pg).",
      severity: "error",
      from: { path: "^(app|components|lib|server\\.ts|proxy\\.ts)", pathNot: "^lib/storage/" },
      to: { path: "(^node_modules/(@prisma/|prisma/|better-sqlite3/|pg/|pg-)|^lib/storage/generated/)" },
    },
    mayNotImport(
      "live-bus-knows-only-the-floor",
      "lib/live carries stored requests from ingest to the read API's streams; it knows neither, nor storage or HTTP.",
      "^lib/live/",
      "^(lib/(?!live/|domain/|contracts/|shared/)|app/|components/)",
    ),
    mayNotImport("auth-is-below-http", "lib/auth may use storage and the floor, not HTTP wrappers or features.", "^lib/auth/", "^(lib/(http|ingest|read-api|settings|queries)/|app/|components/)"),
    mayNotImport("http-is-below-features", "lib/http (errors, wrappers, compression) serves features; it never imports one.", "^lib/http/", "^(lib/(ingest|read-api|settings|queries)/|app/|components/)"),
    mayNotImport(
      "server-features-stay-apart",
      "lib/ingest, lib/read-api and lib/settings are siblings: none imports another or anything above.",
      "^lib/(ingest|read-api|settings)/",
      "^(lib/queries/|app/|components/)",
    ),
    mayNotImport("ingest-is-not-read-api", "Ingest does not import the read side.", "^lib/ingest/", "^lib/(read-api|settings)/"),
    mayNotImport("read-api-is-not-ingest", "The read side does not import ingest.", "^lib/(read-api|settings)/", "^lib/ingest/"),
    {
      name: "queries-reach-the-server-only-by-types",
      comment: "lib/queries runs in the browser: it may import server modules' types, never their code.",
      severity: "error",
      from: { path: "^lib/queries/" },
      to: { path: "^(lib/(?!queries/|domain/|contracts/)|app/|components/)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "components-use-queries-not-the-server",
      comment: "Components reach data through lib/queries (and server actions), never storage, ingest or the read API.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^(lib/(?!queries/|domain/|contracts/|auth/actions\\.ts$)|app/)", dependencyTypesNot: ["type-only"] },
    },
    mayNotImport("lib-does-not-import-ui", "lib never imports pages or components.", LIB, "^(app|components)/"),
    mayNotImport(
      "mock-provider-is-for-tests",
      "The mock LLM provider is a test stand-in: production code never imports it.",
      "^(app|components|lib|server\\.ts|proxy\\.ts)",
      "^tests/",
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(lib/storage/generated|\\.next|node_modules)/" },
    // Type-only imports count as dependencies (a cycle through types is still a cycle); the rules
    // that allow them say so.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
