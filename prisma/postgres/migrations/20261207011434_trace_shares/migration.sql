-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "sharingEnabled" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "TraceShare" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "traceId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "content" BOOLEAN NOT NULL,
    "createdByUserId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TraceShare_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TraceShare_tokenHash_key" ON "TraceShare"("tokenHash");

-- CreateIndex
CREATE INDEX "TraceShare_organizationId_traceId_idx" ON "TraceShare"("organizationId", "traceId");

-- CreateIndex
CREATE INDEX "TraceShare_createdByUserId_idx" ON "TraceShare"("createdByUserId");

-- AddForeignKey
ALTER TABLE "TraceShare" ADD CONSTRAINT "TraceShare_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TraceShare" ADD CONSTRAINT "TraceShare_createdByUserId_fkey" FOREIGN KEY ("createdByUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
