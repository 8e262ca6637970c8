-- The media library: files an organization uploaded, one row per distinct content (deduplicated by hash).
-- It replaces the media tables of 0001, which no code ever used.
DROP TABLE post_media;
DROP TABLE media;
CREATE TABLE media (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('image', 'video')),
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    sha256 text NOT NULL CHECK (length(sha256) = 64),
    storage_key text NOT NULL UNIQUE,
    alt text CHECK (length(alt) <= 1500),
    -- What processing (ffprobe) found, once it ran.
    processing text NOT NULL DEFAULT 'pending' CHECK (processing IN ('pending', 'ready', 'failed')),
    processing_error text,
    width integer,
    height integer,
    duration_ms integer,
    video_codec text,
    audio_codec text,
    thumbnail_key text,
    -- Where in a video its thumbnail is taken (chosen by a person; else one second in).
    thumbnail_at_ms integer CHECK (thumbnail_at_ms >= 0),
    uploaded_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX media_content_key ON media (organization_id, sha256);
CREATE INDEX media_listing_idx ON media (organization_id, created_at DESC, id DESC);
CREATE INDEX media_name_idx ON media (organization_id, lower(name) text_pattern_ops);

-- Files derived from an original for platforms that demand a format (a JPEG of a PNG, an H.264/AAC MP4 of a
-- WebM), stored beside it.
CREATE TABLE media_variants (
    media_id uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (name IN ('jpeg', 'mp4')),
    storage_key text NOT NULL UNIQUE,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL CHECK (size_bytes > 0),
    width integer,
    height integer,
    PRIMARY KEY (media_id, name)
);

-- Which posts carry which files, in order.
CREATE TABLE post_media (
    post_id uuid NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    media_id uuid NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    position integer NOT NULL DEFAULT 0 CHECK (position >= 0),
    PRIMARY KEY (post_id, media_id)
);
CREATE INDEX post_media_media_idx ON post_media (media_id);
