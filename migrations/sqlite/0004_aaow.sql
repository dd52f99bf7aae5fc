-- aaow SQLiteStorageAdapter (seed 003): the Prisma schema's tables, columns and indexes; sessions live in aaow_sessions
-- Column names are the Prisma schema's camelCase ones. Times are SQLite text ('YYYY-MM-DD HH:MM:SS.SSS', UTC).
-- `sessions` is taken by store.agents (seed 004), which the documents name the same, so the aaow
-- sessions table is aaow_sessions; every other table keeps the name the aaow schema gives it.
CREATE TABLE workflows (
  "id" TEXT NOT NULL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "version" TEXT NOT NULL,
  "definition" TEXT NOT NULL,
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" DATETIME NOT NULL,
  "metadata" TEXT
);
CREATE INDEX workflows_name_idx ON workflows ("name");
CREATE INDEX workflows_version_idx ON workflows ("version");
CREATE INDEX workflows_createdAt_idx ON workflows ("createdAt");

-- A deleted workflow leaves its sessions, which keep their workflowSnapshot (ON DELETE SET NULL, as in aaow).
CREATE TABLE aaow_sessions (
  "id" TEXT NOT NULL PRIMARY KEY,
  "workflowId" TEXT REFERENCES workflows ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "workflowSnapshot" TEXT NOT NULL,
  "status" TEXT NOT NULL CHECK ("status" IN ('running', 'paused', 'completed', 'failed',
    'waiting_for_human_review', 'waiting_for_budget_approval', 'waiting_for_workflow_approval')),
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" DATETIME NOT NULL,
  "metadata" TEXT
);
CREATE INDEX aaow_sessions_workflowId_idx ON aaow_sessions ("workflowId");
CREATE INDEX aaow_sessions_status_idx ON aaow_sessions ("status", "createdAt");
CREATE INDEX aaow_sessions_createdAt_idx ON aaow_sessions ("createdAt");

CREATE TABLE execution_states (
  "id" TEXT NOT NULL PRIMARY KEY,
  "sessionId" TEXT NOT NULL REFERENCES aaow_sessions ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "budgetPoolId" TEXT,
  "currentNodeId" TEXT,
  "status" TEXT NOT NULL,
  "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "completedAt" DATETIME,
  "metadata" TEXT
);
CREATE UNIQUE INDEX execution_states_sessionId_key ON execution_states ("sessionId");

CREATE TABLE node_execution_states (
  "id" TEXT NOT NULL PRIMARY KEY,
  "sessionId" TEXT NOT NULL REFERENCES aaow_sessions ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "nodeId" TEXT NOT NULL,
  "status" TEXT NOT NULL,
  "input" TEXT,
  "output" TEXT,
  "error" TEXT,
  "startedAt" DATETIME,
  "completedAt" DATETIME,
  "retryCount" INTEGER NOT NULL DEFAULT 0,
  "pendingApprovalId" TEXT,
  "metadata" TEXT
);
CREATE INDEX node_execution_states_sessionId_idx ON node_execution_states ("sessionId");
CREATE INDEX node_execution_states_status_idx ON node_execution_states ("status");
CREATE UNIQUE INDEX node_execution_states_sessionId_nodeId_key ON node_execution_states ("sessionId", "nodeId");

CREATE TABLE llm_executions (
  "id" TEXT NOT NULL PRIMARY KEY,
  "sessionId" TEXT NOT NULL REFERENCES aaow_sessions ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "nodeId" TEXT NOT NULL,
  "timestamp" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "success" BOOLEAN NOT NULL,
  "text" TEXT,
  "toolCalls" TEXT,
  "usage_promptTokens" INTEGER,
  "usage_completionTokens" INTEGER,
  "usage_totalTokens" INTEGER,
  "error" TEXT,
  "metadata" TEXT
);
CREATE INDEX llm_executions_sessionId_idx ON llm_executions ("sessionId", "timestamp");
CREATE INDEX llm_executions_sessionId_nodeId_idx ON llm_executions ("sessionId", "nodeId", "timestamp");
CREATE INDEX llm_executions_nodeId_idx ON llm_executions ("nodeId");
CREATE INDEX llm_executions_timestamp_idx ON llm_executions ("timestamp");

CREATE TABLE budget_pools (
  "id" TEXT NOT NULL PRIMARY KEY,
  "parentPoolId" TEXT REFERENCES budget_pools ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "totalBudget" REAL NOT NULL,
  "usedBudget" REAL NOT NULL,
  "remainingBudget" REAL NOT NULL,
  "status" TEXT NOT NULL CHECK ("status" IN ('active', 'exhausted', 'suspended')),
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "metadata" TEXT
);
CREATE INDEX budget_pools_parentPoolId_idx ON budget_pools ("parentPoolId");
CREATE INDEX budget_pools_status_idx ON budget_pools ("status");

CREATE TABLE tool_call_logs (
  "id" TEXT NOT NULL PRIMARY KEY,
  "executionId" TEXT NOT NULL REFERENCES llm_executions ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "toolCallId" TEXT NOT NULL,
  "toolName" TEXT NOT NULL,
  "args" TEXT NOT NULL,
  "result" TEXT,
  "error" TEXT,
  "timestamp" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "duration" INTEGER
);
CREATE INDEX tool_call_logs_executionId_idx ON tool_call_logs ("executionId", "timestamp");
CREATE INDEX tool_call_logs_toolName_idx ON tool_call_logs ("toolName");
CREATE INDEX tool_call_logs_timestamp_idx ON tool_call_logs ("timestamp");

CREATE TABLE approval_requests (
  "id" TEXT NOT NULL PRIMARY KEY,
  "sessionId" TEXT NOT NULL REFERENCES aaow_sessions ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "nodeId" TEXT NOT NULL,
  "type" TEXT NOT NULL CHECK ("type" IN ('human_review', 'budget_increase', 'workflow_call')),
  "status" TEXT NOT NULL CHECK ("status" IN ('pending', 'approved', 'rejected', 'expired')),
  "context" TEXT NOT NULL,
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "resolvedAt" DATETIME,
  "resolvedBy" TEXT,
  "resolutionNotes" TEXT
);
CREATE INDEX approval_requests_sessionId_idx ON approval_requests ("sessionId", "createdAt");
-- listPendingApprovals reads this index in order: status first, then the default sort.
CREATE INDEX approval_requests_status_idx ON approval_requests ("status", "createdAt");
CREATE INDEX approval_requests_type_idx ON approval_requests ("type");
CREATE INDEX approval_requests_createdAt_idx ON approval_requests ("createdAt");

-- sessionId is flowstore's addition: an event saved with one is deleted with its session.
CREATE TABLE stream_events (
  "id" TEXT NOT NULL PRIMARY KEY,
  "streamId" TEXT NOT NULL,
  "nodeId" TEXT NOT NULL,
  "data" TEXT NOT NULL,
  "timestamp" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "sessionId" TEXT REFERENCES aaow_sessions ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX stream_events_streamId_idx ON stream_events ("streamId", "timestamp");
CREATE INDEX stream_events_timestamp_idx ON stream_events ("timestamp");
CREATE INDEX stream_events_sessionId_idx ON stream_events ("sessionId");
