-- Lists are newest first by (created_at, seq) and filtered by group, status,
-- validation status or creation time: one index per filter, ending in the
-- listing order, so a page costs the same at a thousand rows or millions.
DROP INDEX IF EXISTS sessions_by_group;
DROP INDEX IF EXISTS sessions_by_group_status;
CREATE INDEX sessions_listing ON entity_onboarding_sessions (group_id, created_at, seq);
CREATE INDEX sessions_listing_by_status ON entity_onboarding_sessions (group_id, status, created_at, seq);

DROP INDEX IF EXISTS entities_by_group;
DROP INDEX IF EXISTS entities_by_group_status;
DROP INDEX IF EXISTS entities_by_group_created;
CREATE INDEX entities_listing ON entities (group_id, created_at, seq);
CREATE INDEX entities_listing_by_status ON entities (group_id, status, created_at, seq);
CREATE INDEX entities_listing_by_validation
    ON entities (group_id, (validation->>'status'), created_at, seq);

DROP INDEX IF EXISTS programs_by_group;
CREATE INDEX programs_listing ON programs (group_id, created_at, seq);
