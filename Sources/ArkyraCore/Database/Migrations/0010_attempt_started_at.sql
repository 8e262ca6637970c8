-- When the current publish attempt began (the claim): how late publishing started, for operators and the
-- burst benchmark.
ALTER TABLE posts ADD COLUMN attempt_started_at timestamptz;
