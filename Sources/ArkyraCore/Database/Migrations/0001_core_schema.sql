-- The core schema: tenants, people, connected channels, posts, media, tags and the audit trail.
-- Every tenant table carries organization_id; soft-deleted rows keep deleted_at and leave the partial indexes.

CREATE TABLE organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    password_hash text NOT NULL,
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE deleted_at IS NULL;

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user_idx ON memberships (user_id);

-- A connected channel. Tokens are AES-GCM ciphertexts (keyid:base64), never plain text.
CREATE TABLE integrations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    provider text NOT NULL,
    external_id text NOT NULL,
    name text NOT NULL DEFAULT '',
    username text NOT NULL DEFAULT '',
    avatar_url text,
    instance_url text,
    access_token_encrypted text NOT NULL,
    refresh_token_encrypted text,
    token_expires_at timestamptz,
    state text NOT NULL DEFAULT 'connected' CHECK (state IN ('connected', 'refresh_needed', 'disabled')),
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX integrations_account_key
    ON integrations (organization_id, provider, coalesce(instance_url, ''), external_id) WHERE deleted_at IS NULL;
CREATE INDEX integrations_organization_idx ON integrations (organization_id) WHERE deleted_at IS NULL;

-- One row per channel variant of a post group; thread items point at their parent.
CREATE TABLE posts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    group_id uuid NOT NULL,
    parent_id uuid REFERENCES posts (id) ON DELETE CASCADE,
    position integer NOT NULL DEFAULT 0,
    integration_id uuid NOT NULL REFERENCES integrations (id),
    content text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    state text NOT NULL CHECK (state IN ('draft', 'scheduled', 'publishing', 'published', 'failed', 'unconfirmed')),
    publish_at timestamptz,
    time_zone text NOT NULL DEFAULT 'UTC',
    platform_post_id text,
    platform_url text,
    error text,
    published_at timestamptz,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    CHECK (state = 'draft' OR publish_at IS NOT NULL)
);
-- The calendar: an organization's posts in a time range.
CREATE INDEX posts_calendar_idx ON posts (organization_id, publish_at) WHERE deleted_at IS NULL;
-- The queue paths: what is due, and what is stuck publishing.
CREATE INDEX posts_due_idx ON posts (publish_at) WHERE deleted_at IS NULL AND state IN ('scheduled', 'publishing');
CREATE INDEX posts_group_idx ON posts (group_id);
CREATE INDEX posts_parent_idx ON posts (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX posts_integration_idx ON posts (integration_id, publish_at) WHERE deleted_at IS NULL;

CREATE TABLE media (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    storage_key text NOT NULL,
    file_name text NOT NULL DEFAULT '',
    content_type text NOT NULL,
    byte_size bigint NOT NULL CHECK (byte_size >= 0),
    width integer,
    height integer,
    duration_ms integer,
    alt_text text NOT NULL DEFAULT '',
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX media_organization_idx ON media (organization_id, created_at DESC) WHERE deleted_at IS NULL;

CREATE TABLE post_media (
    post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    media_id uuid NOT NULL REFERENCES media (id),
    position integer NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, media_id)
);
CREATE INDEX post_media_media_idx ON post_media (media_id);

CREATE TABLE tags (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    color text NOT NULL DEFAULT '#888888',
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX tags_name_key ON tags (organization_id, lower(name)) WHERE deleted_at IS NULL;

CREATE TABLE post_tags (
    post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, tag_id)
);
CREATE INDEX post_tags_tag_idx ON post_tags (tag_id);

-- Who did what, where from; written in the same transaction as the change it records.
CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    action text NOT NULL,
    target_type text NOT NULL,
    target_id text,
    ip text,
    user_agent text,
    request_id text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, created_at DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, created_at DESC);
