-- What a platform last said about a published post's reach: its counts by ARKYRA's names (views, likes,
-- replies, reposts, quotes, shares), when they were read, and the last failure to read them.
CREATE TABLE post_metrics (
    post_id uuid PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    counts jsonb NOT NULL DEFAULT '{}',
    fetched_at timestamptz,
    error text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
