-- Custody of personal data (see the README's "Personal data").

-- API keys carry their environment and their permissions. Keys made before
-- this release keep working as sandbox keys without the reveal permission.
ALTER TABLE api_keys
    ADD COLUMN environment text NOT NULL DEFAULT 'sandbox'
        CONSTRAINT api_keys_environment_known CHECK (environment IN ('sandbox', 'production')),
    ADD COLUMN reveal_pii boolean NOT NULL DEFAULT false;

-- The hosted form finds its session by a hash of the link's token
-- ('h1:' + hex SHA-256); the token itself is sealed while the session is
-- active (to show `session_url`) and cleared once it ends. Rows written
-- before this release still hold the token in clear here until start-up
-- converts them.
ALTER TABLE entity_onboarding_sessions RENAME COLUMN token TO token_hash;
ALTER TABLE entity_onboarding_sessions ADD COLUMN token_sealed text;

-- Full identification numbers, sealed; `subject_id` is the Entity's own ID
-- for its natural person and the owner's ID for a beneficial owner.
CREATE TABLE identification_numbers (
    entity_id      text NOT NULL REFERENCES entities (id),
    subject_id     text NOT NULL,
    method         text NOT NULL,
    number_sealed  text NOT NULL,
    -- The data key that sealed `number_sealed` (rotation finds stale rows by it).
    key_id         text NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (entity_id, subject_id)
);
CREATE INDEX identification_numbers_by_key ON identification_numbers (key_id);

-- Every attempt to reveal personal data, allowed or not. Append-only.
CREATE TABLE audit_log (
    seq          bigserial PRIMARY KEY,
    action       text NOT NULL,
    outcome      text NOT NULL CONSTRAINT audit_log_outcome_known CHECK (outcome IN ('revealed', 'refused', 'not_found')),
    group_id     text NOT NULL,
    api_key_id   text NOT NULL,
    entity_id    text NOT NULL,
    client_ip    text,
    request_id   text,
    created_at   timestamptz NOT NULL
);
CREATE INDEX audit_log_by_entity ON audit_log (entity_id, seq);
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- Secrets an earlier release stored in clear, converted by the service at
-- start-up (it holds the data key; SQL does not). Empty once done.
CREATE TABLE pending_conversions (
    name TEXT PRIMARY KEY NOT NULL
);
INSERT INTO pending_conversions (name)
    SELECT 'form_tokens' WHERE EXISTS (SELECT 1 FROM entity_onboarding_sessions);
INSERT INTO pending_conversions (name)
    SELECT 'idempotency_responses' WHERE EXISTS (SELECT 1 FROM idempotency_keys);
