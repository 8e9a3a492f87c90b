-- Written by hand from Prisma's diff (npm run db:new-migration), which copies the whole Request
-- table into a new one to add a column: a long pause at the first start on a large database.
-- SQLite adds a column with a constant default in place, and the column is the table's last, as
-- the copy would have placed it; tests/api/storage/migrations.test.ts checks the result against
-- the schema.

-- DropIndex
DROP INDEX "Request_organizationId_traceId_idx";

-- AlterTable
ALTER TABLE "Request" ADD COLUMN "usageRollup" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Request_organizationId_traceId_source_idx" ON "Request"("organizationId", "traceId", "source");
