-- no-transaction
-- Lists are newest first by (created_at, seq); this index serves one filter in that
-- order. Built CONCURRENTLY (outside a transaction, one index per migration) so
-- that instances sharing the database keep reading and writing meanwhile.
CREATE INDEX CONCURRENTLY sessions_listing ON entity_onboarding_sessions (group_id, created_at, seq);
