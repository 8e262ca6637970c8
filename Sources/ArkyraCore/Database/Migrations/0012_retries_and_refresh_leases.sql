-- How many times a post has been retried because its platform was unavailable. Kept on the post, not only in
-- its job, so that a job the reconciler re-creates after Redis lost it still counts towards the retry limit.
ALTER TABLE posts ADD COLUMN unavailable_retries int NOT NULL DEFAULT 0;

-- Until when one worker holds the right to refresh a channel's tokens. A lease, not a row lock: the refresh
-- is an HTTP call to the platform, and no transaction stays open across one.
ALTER TABLE integrations ADD COLUMN refresh_lease_until timestamptz;
