-- CreateTable
CREATE TABLE "MetricsRollup" (
    "organizationId" TEXT NOT NULL,
    "facet" TEXT NOT NULL,
    "facetValue" TEXT NOT NULL,
    "span" INTEGER NOT NULL,
    "hour" INTEGER NOT NULL,
    "groupKey" TEXT NOT NULL,
    "model" TEXT,
    "provider" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "requests" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "costPicoUsd" BIGINT NOT NULL,
    "costUnknownRequests" INTEGER NOT NULL,
    "promptTokens" BIGINT NOT NULL,
    "completionTokens" BIGINT NOT NULL,
    "wastedCostPicoUsd" BIGINT NOT NULL,
    "latencySketch" BLOB NOT NULL,
    "firstTokenSketch" BLOB NOT NULL,

    PRIMARY KEY ("organizationId", "facet", "facetValue", "span", "hour", "groupKey"),
    CONSTRAINT "MetricsRollup_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MetricsPresence" (
    "organizationId" TEXT NOT NULL,
    "facet" TEXT NOT NULL,
    "facetValue" TEXT NOT NULL,
    "span" INTEGER NOT NULL,
    "hour" INTEGER NOT NULL,
    "presence" BLOB NOT NULL,

    PRIMARY KEY ("organizationId", "facet", "facetValue", "span", "hour"),
    CONSTRAINT "MetricsPresence_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MetricsRollupState" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "builtAt" DATETIME NOT NULL
);

-- A database without requests has nothing to build: its rollups are complete from the start.
-- One with requests is built once at the next start (lib/storage/metrics-rollups.ts).
INSERT INTO "MetricsRollupState" ("id", "builtAt") SELECT 1, CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM "Request");
