-- The sweep deletes idempotent responses older than their retention
-- (ONBOARDING_IDEMPOTENCY_RETENTION), oldest first, a batch at a time.
CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_at);
