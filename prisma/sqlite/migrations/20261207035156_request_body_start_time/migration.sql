-- Written by hand from Prisma's diff (npm run db:new-migration): SQLite cannot add a NOT NULL
-- column without a default in place, so the table is copied, as Prisma wrote it, but each body
-- takes its request's start time (Prisma's copy left the column empty and failed on a database
-- that holds bodies). A one-time copy of the bodies at the first start after the upgrade.

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_RequestBody" (
    "requestId" TEXT NOT NULL PRIMARY KEY,
    "requestBody" TEXT,
    "responseBody" TEXT,
    "requestHeaders" TEXT NOT NULL DEFAULT '{}',
    "responseHeaders" TEXT NOT NULL DEFAULT '{}',
    "startTime" DATETIME NOT NULL,
    CONSTRAINT "RequestBody_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_RequestBody" ("requestBody", "requestHeaders", "requestId", "responseBody", "responseHeaders", "startTime")
  SELECT b."requestBody", b."requestHeaders", b."requestId", b."responseBody", b."responseHeaders", r."startTime"
  FROM "RequestBody" b JOIN "Request" r ON r."id" = b."requestId";
DROP TABLE "RequestBody";
ALTER TABLE "new_RequestBody" RENAME TO "RequestBody";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
