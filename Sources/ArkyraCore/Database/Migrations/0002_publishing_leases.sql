-- Publishing with leases: which worker holds a post and which attempt it is on (so a stale worker cannot
-- overwrite a newer attempt), jobs that exhausted their retries, and in-app notifications.

ALTER TABLE posts ADD COLUMN attempt integer NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN lease_owner text;
CREATE INDEX posts_publishing_idx ON posts (updated_at) WHERE state = 'publishing' AND deleted_at IS NULL;

-- A job that will not run again by itself: every attempt's error and the platform's raw answer.
CREATE TABLE dead_jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    queue text NOT NULL,
    job_id text NOT NULL,
    job_type text NOT NULL,
    job jsonb NOT NULL,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    deliveries integer NOT NULL,
    last_error text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    redriven_at timestamptz
);
CREATE INDEX dead_jobs_queue_idx ON dead_jobs (queue, created_at DESC) WHERE redriven_at IS NULL;
CREATE INDEX dead_jobs_organization_idx ON dead_jobs (organization_id, created_at DESC);
