-- Threads: the items after the first wait (state 'waiting', no publish time yet) until the item before them
-- is published, then are scheduled `delay_seconds` later, each with its own claim.
ALTER TABLE posts DROP CONSTRAINT posts_state_check;
ALTER TABLE posts ADD CONSTRAINT posts_state_check
    CHECK (state IN ('draft', 'waiting', 'scheduled', 'publishing', 'published', 'failed', 'unconfirmed'));
ALTER TABLE posts DROP CONSTRAINT posts_check;
-- A thread item that never got its turn fails without a publish time.
ALTER TABLE posts ADD CONSTRAINT posts_publish_at_check CHECK (state IN ('draft', 'waiting', 'failed') OR publish_at IS NOT NULL);
ALTER TABLE posts ADD COLUMN delay_seconds integer NOT NULL DEFAULT 0 CHECK (delay_seconds BETWEEN 0 AND 86400);
