-- Every API process reloads the sessions revoked within an access token's lifetime every second.
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
