-- Customers: the clients an agency works for. A channel may belong to one, and the calendar filters by it
-- (Postiz's "customer").
CREATE TABLE customers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX customers_name_key ON customers (organization_id, lower(name));

ALTER TABLE integrations ADD COLUMN customer_id uuid REFERENCES customers (id) ON DELETE SET NULL;
-- When the channel likes to post, in minutes after midnight UTC (Postiz's defaults: 02:00, 06:40, 11:40).
ALTER TABLE integrations ADD COLUMN posting_times integer[] NOT NULL DEFAULT '{120,400,700}'
    CHECK (cardinality(posting_times) BETWEEN 1 AND 48 AND 0 <= ALL (posting_times) AND 1439 >= ALL (posting_times));
CREATE INDEX integrations_customer_idx ON integrations (customer_id) WHERE customer_id IS NOT NULL;
