-- Written by hand from Prisma's diff (npm run db:new-migration), which adds the column NOT NULL
-- without a value and so fails on a database that holds bodies: each body takes its request's
-- start time, then the column becomes NOT NULL. On PostgreSQL the request tables are then
-- partitioned by that time at start (lib/storage/partitions.ts).

-- AlterTable
ALTER TABLE "RequestBody" ADD COLUMN "startTime" TIMESTAMP(3);
UPDATE "RequestBody" b SET "startTime" = r."startTime" FROM "Request" r WHERE r."id" = b."requestId";
ALTER TABLE "RequestBody" ALTER COLUMN "startTime" SET NOT NULL;
