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
    "latencySketch" BYTEA NOT NULL,
    "firstTokenSketch" BYTEA NOT NULL,

    CONSTRAINT "MetricsRollup_pkey" PRIMARY KEY ("organizationId","facet","facetValue","span","hour","groupKey")
);

-- CreateTable
CREATE TABLE "MetricsPresence" (
    "organizationId" TEXT NOT NULL,
    "facet" TEXT NOT NULL,
    "facetValue" TEXT NOT NULL,
    "span" INTEGER NOT NULL,
    "hour" INTEGER NOT NULL,
    "presence" BYTEA NOT NULL,

    CONSTRAINT "MetricsPresence_pkey" PRIMARY KEY ("organizationId","facet","facetValue","span","hour")
);

-- CreateTable
CREATE TABLE "MetricsRollupState" (
    "id" INTEGER NOT NULL,
    "builtAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MetricsRollupState_pkey" PRIMARY KEY ("id")
);

-- AddForeignKey
ALTER TABLE "MetricsRollup" ADD CONSTRAINT "MetricsRollup_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MetricsPresence" ADD CONSTRAINT "MetricsPresence_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A database without requests has nothing to build: its rollups are complete from the start.
-- One with requests is built once at the next start (lib/storage/metrics-rollups.ts).
INSERT INTO "MetricsRollupState" ("id", "builtAt") SELECT 1, CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM "Request");
