-- Every API process reloads the sessions revoked within an access token's lifetime every second.
CREATE INDEX sessions_revoked_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;

-- A session deleted outright (with its user, when an account is erased) must still count as revoked for as
-- long as its access tokens live, so its deletion leaves a tombstone; the retention sweep removes old ones.
CREATE TABLE ended_sessions (
    session_id uuid PRIMARY KEY,
    ended_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ended_sessions_ended_idx ON ended_sessions (ended_at);

CREATE FUNCTION remember_ended_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ended_sessions (session_id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
    RETURN OLD;
END
$$;

CREATE TRIGGER sessions_remember_ended BEFORE DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION remember_ended_session();
