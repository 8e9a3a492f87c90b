-- DropIndex
DROP INDEX "Request_organizationId_traceId_idx";

-- AlterTable
ALTER TABLE "Request" ADD COLUMN     "usageRollup" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Request_organizationId_traceId_source_idx" ON "Request"("organizationId", "traceId", "source");
