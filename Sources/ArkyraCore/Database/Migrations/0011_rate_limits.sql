-- Platform rate limits: how often and since when a post has been refused with "too many requests" (its waits
-- grow and end in failure past a cap), and until when a channel is rate limited (its other due posts wait for
-- the same reset instead of each asking the platform).
ALTER TABLE posts ADD COLUMN rate_limit_hits int NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN rate_limited_since timestamptz;
ALTER TABLE integrations ADD COLUMN rate_limited_until timestamptz;
