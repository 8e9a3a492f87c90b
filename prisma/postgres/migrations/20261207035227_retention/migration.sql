-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "retentionDays" INTEGER;

-- CreateIndex
CREATE INDEX "MetricsPresence_organizationId_hour_idx" ON "MetricsPresence"("organizationId", "hour");

-- CreateIndex
CREATE INDEX "MetricsRollup_organizationId_hour_idx" ON "MetricsRollup"("organizationId", "hour");
