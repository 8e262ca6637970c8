-- In-app notifications: what a person must look at (a post that failed or may have been published).
CREATE TABLE notifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    post_id uuid REFERENCES posts (id) ON DELETE CASCADE,
    kind text NOT NULL,
    message text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
);
CREATE INDEX notifications_organization_idx ON notifications (organization_id, created_at DESC);
