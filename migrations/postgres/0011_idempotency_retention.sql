-- no-transaction
-- The sweep deletes idempotent responses older than their retention
-- (ONBOARDING_IDEMPOTENCY_RETENTION), a batch at a time. Built CONCURRENTLY
-- (outside a transaction) so that instances sharing the database keep
-- recording responses meanwhile.
CREATE INDEX CONCURRENTLY idempotency_keys_by_created ON idempotency_keys (created_at);
