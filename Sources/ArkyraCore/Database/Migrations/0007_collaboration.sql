-- Internal comments on a post group: the team's discussion (and, through preview links, a client's), never
-- published. author_name keeps the name shown at the time; preview visitors have no account.
CREATE TABLE post_comments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    group_id uuid NOT NULL,
    author_id uuid REFERENCES users (id) ON DELETE SET NULL,
    author_name text NOT NULL CHECK (length(author_name) BETWEEN 1 AND 200),
    via_preview boolean NOT NULL DEFAULT false,
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    created_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE INDEX post_comments_group_idx ON post_comments (organization_id, group_id, created_at);

-- Preview links: a post group shown without logging in (to a client who approves it), who may comment.
CREATE TABLE preview_links (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    group_id uuid NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    allow_comments boolean NOT NULL DEFAULT true,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX preview_links_group_idx ON preview_links (organization_id, group_id);

-- Sets: saved editor presets (channels, text, settings) as the editor stores them.
CREATE TABLE post_sets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    content jsonb NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_sets_organization_idx ON post_sets (organization_id, name);

-- Signatures: text added to the end of posts; the default one is added unless a post says otherwise.
CREATE TABLE signatures (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX signatures_one_default ON signatures (organization_id) WHERE is_default;
