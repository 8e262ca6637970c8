-- A published post can be taken down from its platform: `{"state": "requested" | "removed" | "failed",
-- "requested_at", "requested_by", "removed_at", "error"}`, written by the API (requested) and the worker.
ALTER TABLE posts ADD COLUMN platform_removal jsonb;
