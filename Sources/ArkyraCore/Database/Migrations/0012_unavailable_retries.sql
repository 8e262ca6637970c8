-- How many times a post has been retried because its platform was unavailable. Kept on the post, not only in
-- its job, so that a job the reconciler re-creates after Redis lost it still counts towards the retry limit.
ALTER TABLE posts ADD COLUMN unavailable_retries int NOT NULL DEFAULT 0;
