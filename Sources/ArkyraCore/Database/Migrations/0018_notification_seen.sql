-- What each member has seen of an organization's notifications: those created after seen_at are unread for
-- them (read state is a person's, not the organization's, so the column it replaces goes).
CREATE TABLE notification_seen (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seen_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);
ALTER TABLE notifications DROP COLUMN read_at;
