-- CreateIndex
CREATE INDEX "Request_organizationId_traceId_nodeId_startTime_id_idx" ON "Request"("organizationId", "traceId", "nodeId", "startTime", "id");
