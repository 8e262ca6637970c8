-- Platforms that publish in steps (Threads, Instagram: create a container, wait until the platform has
-- processed it, publish it) keep the container here between the steps, so that a retry or a takeover
-- continues the same container instead of creating a second post.
ALTER TABLE posts ADD COLUMN platform_container text, ADD COLUMN platform_container_since timestamptz;
