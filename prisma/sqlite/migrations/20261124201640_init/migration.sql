-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'member',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "User_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "keyHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "ApiKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Request" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "organizationId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT,
    "method" TEXT NOT NULL DEFAULT 'POST',
    "path" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "errorReason" TEXT,
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "startTime" DATETIME NOT NULL,
    "endTime" DATETIME NOT NULL,
    "latencyMs" REAL NOT NULL,
    "timeToFirstTokenMs" REAL,
    "stream" BOOLEAN NOT NULL DEFAULT false,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,
    "cachedTokens" INTEGER,
    "totalTokens" INTEGER,
    "tokensEstimated" BOOLEAN NOT NULL DEFAULT false,
    "costUsd" REAL,
    "costUnknown" BOOLEAN NOT NULL DEFAULT false,
    "traceId" TEXT,
    "nodeId" TEXT,
    "parentNodeId" TEXT,
    "traceError" TEXT,
    "sessionId" TEXT,
    "sessionName" TEXT,
    "userId" TEXT,
    "properties" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Request_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RequestBody" (
    "requestId" TEXT NOT NULL PRIMARY KEY,
    "requestBody" TEXT,
    "responseBody" TEXT,
    "requestHeaders" TEXT NOT NULL DEFAULT '{}',
    "responseHeaders" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "RequestBody_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RequestProperty" (
    "requestId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "startTime" DATETIME NOT NULL,

    PRIMARY KEY ("requestId", "key"),
    CONSTRAINT "RequestProperty_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "Request" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "User_organizationId_idx" ON "User"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "ApiKey_organizationId_idx" ON "ApiKey"("organizationId");

-- CreateIndex
CREATE INDEX "Request_organizationId_startTime_id_idx" ON "Request"("organizationId", "startTime", "id");

-- CreateIndex
CREATE INDEX "Request_organizationId_model_startTime_idx" ON "Request"("organizationId", "model", "startTime");

-- CreateIndex
CREATE INDEX "Request_organizationId_status_startTime_idx" ON "Request"("organizationId", "status", "startTime");

-- CreateIndex
CREATE INDEX "Request_organizationId_traceId_idx" ON "Request"("organizationId", "traceId");

-- CreateIndex
CREATE INDEX "Request_organizationId_sessionId_startTime_idx" ON "Request"("organizationId", "sessionId", "startTime");

-- CreateIndex
CREATE INDEX "Request_organizationId_userId_startTime_idx" ON "Request"("organizationId", "userId", "startTime");

-- CreateIndex
CREATE INDEX "RequestProperty_organizationId_key_value_startTime_idx" ON "RequestProperty"("organizationId", "key", "value", "startTime");
