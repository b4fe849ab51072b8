-- PostgreSQL's own types: timestamps become timestamptz (from the Unix
-- microseconds of 0001, exactly), JSON documents become jsonb, and columns
-- with a closed set of values get CHECK constraints.

ALTER TABLE groups
    ALTER COLUMN created_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + created_at * INTERVAL '1 microsecond';

ALTER TABLE api_keys
    ALTER COLUMN created_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + created_at * INTERVAL '1 microsecond',
    ALTER COLUMN revoked_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + revoked_at * INTERVAL '1 microsecond';

ALTER TABLE programs
    ALTER COLUMN created_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + created_at * INTERVAL '1 microsecond',
    ALTER COLUMN updated_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + updated_at * INTERVAL '1 microsecond',
    ADD CONSTRAINT programs_bank_known
        CHECK (bank IN ('core_bank', 'first_internet_bank', 'grasshopper_bank', 'increase_bank')),
    ADD CONSTRAINT programs_interest_rate_decimal CHECK (interest_rate ~ '^[0-9]+(\.[0-9]+)?$');

ALTER TABLE entities ALTER COLUMN terms_agreements DROP DEFAULT;
ALTER TABLE entities
    ALTER COLUMN details_confirmed_at TYPE timestamptz
        USING TIMESTAMPTZ 'epoch' + details_confirmed_at * INTERVAL '1 microsecond',
    ALTER COLUMN created_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + created_at * INTERVAL '1 microsecond',
    ALTER COLUMN updated_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + updated_at * INTERVAL '1 microsecond',
    ALTER COLUMN details TYPE jsonb USING details::jsonb,
    ALTER COLUMN validation TYPE jsonb USING validation::jsonb,
    ALTER COLUMN terms_agreements TYPE jsonb USING terms_agreements::jsonb,
    ADD CONSTRAINT entities_structure_known CHECK (structure IN ('corporation', 'natural_person')),
    ADD CONSTRAINT entities_status_known CHECK (status IN ('active', 'archived', 'disabled')),
    ADD CONSTRAINT entities_details_object CHECK (jsonb_typeof(details) = 'object'),
    ADD CONSTRAINT entities_terms_array CHECK (jsonb_typeof(terms_agreements) = 'array');
ALTER TABLE entities ALTER COLUMN terms_agreements SET DEFAULT '[]'::jsonb;

ALTER TABLE entity_onboarding_sessions
    ALTER COLUMN created_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + created_at * INTERVAL '1 microsecond',
    ALTER COLUMN expires_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + expires_at * INTERVAL '1 microsecond',
    ALTER COLUMN completed_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + completed_at * INTERVAL '1 microsecond',
    ADD CONSTRAINT sessions_status_known CHECK (status IN ('active', 'expired')),
    ADD CONSTRAINT sessions_completed_is_expired CHECK (completed_at IS NULL OR status = 'expired');

ALTER TABLE idempotency_keys
    ALTER COLUMN created_at TYPE timestamptz USING TIMESTAMPTZ 'epoch' + created_at * INTERVAL '1 microsecond',
    ALTER COLUMN response_status TYPE integer,
    ADD CONSTRAINT idempotency_keys_status_http CHECK (response_status BETWEEN 100 AND 599),
    ADD CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 200);
