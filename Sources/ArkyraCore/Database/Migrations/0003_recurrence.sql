-- Recurring posts: how a post repeats ({"unit": "day"|"week", "every": N}), anchored to its wall-clock time
-- in its time zone. NULL for a one-off post.
ALTER TABLE posts ADD COLUMN recurrence jsonb;
