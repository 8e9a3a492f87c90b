-- Written by hand from Prisma's diff (npm run db:new-migration), which copies the Organization
-- table into a new one to add a column. SQLite adds a column with a constant default in place, and
-- the column is the table's last, as the copy would have placed it; the drift check in
-- tests/api/storage/migrations.test.ts compares the result with the schema.

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN "sharingEnabled" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "TraceShare" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "traceId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "content" BOOLEAN NOT NULL,
    "createdByUserId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TraceShare_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "TraceShare_createdByUserId_fkey" FOREIGN KEY ("createdByUserId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "TraceShare_tokenHash_key" ON "TraceShare"("tokenHash");

-- CreateIndex
CREATE INDEX "TraceShare_organizationId_traceId_idx" ON "TraceShare"("organizationId", "traceId");

-- CreateIndex
CREATE INDEX "TraceShare_createdByUserId_idx" ON "TraceShare"("createdByUserId");
