-- Timestamps are Unix epoch microseconds (BIGINT) so that comparisons and
-- ordering are plain integer operations on every backend.
-- `seq` columns give each row a stable, strictly increasing position used for
-- keyset pagination ("newest first").

CREATE TABLE groups (
    id          TEXT PRIMARY KEY NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY NOT NULL,
    group_id    TEXT NOT NULL REFERENCES groups (id),
    name        TEXT NOT NULL,
    -- SHA-256 of the key; the key itself is never stored.
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE programs (
    seq                             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                              TEXT NOT NULL UNIQUE,
    group_id                        TEXT NOT NULL REFERENCES groups (id),
    name                            TEXT NOT NULL,
    bank                            TEXT NOT NULL,
    billing_account_id              TEXT,
    default_digital_card_profile_id TEXT,
    interest_rate                   TEXT NOT NULL,
    lending_maximum_extendable_credit BIGINT,
    idempotency_key                 TEXT,
    created_at                      BIGINT NOT NULL,
    updated_at                      BIGINT NOT NULL
);
CREATE INDEX programs_by_group ON programs (group_id, seq);

CREATE TABLE entities (
    seq                                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                                     TEXT NOT NULL UNIQUE,
    group_id                               TEXT NOT NULL REFERENCES groups (id),
    structure                              TEXT NOT NULL,
    status                                 TEXT NOT NULL,
    description                            TEXT,
    -- JSON document of the structure's sub-object (corporation, natural_person, ...).
    details                                TEXT NOT NULL,
    details_confirmed_at                   BIGINT,
    creating_entity_onboarding_session_id  TEXT,
    idempotency_key                        TEXT,
    -- JSON: the Entity's `validation` object, or NULL.
    validation                             TEXT,
    -- JSON array of terms agreements.
    terms_agreements                       TEXT NOT NULL DEFAULT '[]',
    created_at                             BIGINT NOT NULL,
    updated_at                             BIGINT NOT NULL
);
CREATE INDEX entities_by_group ON entities (group_id, seq);
CREATE INDEX entities_by_group_status ON entities (group_id, status, seq);
CREATE INDEX entities_by_group_created ON entities (group_id, created_at);
CREATE INDEX entities_by_idempotency_key ON entities (group_id, idempotency_key);

CREATE TABLE entity_onboarding_sessions (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    group_id         TEXT NOT NULL REFERENCES groups (id),
    program_id       TEXT NOT NULL REFERENCES programs (id),
    entity_id        TEXT REFERENCES entities (id),
    redirect_url     TEXT NOT NULL,
    -- Secret of the hosted form link; distinct from the session ID.
    token            TEXT NOT NULL UNIQUE,
    -- Persisted status; a session whose expires_at has passed reads as
    -- expired even while this still says 'active'.
    status           TEXT NOT NULL,
    idempotency_key  TEXT,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    completed_at     BIGINT
);
CREATE INDEX sessions_by_group ON entity_onboarding_sessions (group_id, seq);
CREATE INDEX sessions_by_group_status ON entity_onboarding_sessions (group_id, status, seq);
CREATE INDEX sessions_by_idempotency_key ON entity_onboarding_sessions (group_id, idempotency_key);
CREATE INDEX sessions_active_by_expiry ON entity_onboarding_sessions (status, expires_at);

CREATE TABLE idempotency_keys (
    group_id         TEXT NOT NULL REFERENCES groups (id),
    key              TEXT NOT NULL,
    -- SHA-256 of method, path and canonical body of the first request.
    fingerprint      TEXT NOT NULL,
    resource_id      TEXT NOT NULL,
    response_status  BIGINT NOT NULL,
    response_body    TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (group_id, key)
);
