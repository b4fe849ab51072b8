-- Events (an outbox: written in the transaction of the change they
-- describe), Event Subscriptions and the queue of webhook deliveries.

CREATE TABLE events (
    seq                     bigserial PRIMARY KEY,
    id                      text NOT NULL UNIQUE,
    group_id                text NOT NULL REFERENCES groups (id),
    category                text NOT NULL,
    associated_object_type  text NOT NULL,
    associated_object_id    text NOT NULL,
    created_at              timestamptz NOT NULL
);
CREATE INDEX events_listing ON events (group_id, created_at, seq);
CREATE INDEX events_by_object ON events (group_id, associated_object_id, created_at, seq);

CREATE TABLE event_subscriptions (
    seq                        bigserial PRIMARY KEY,
    id                         text NOT NULL UNIQUE,
    group_id                   text NOT NULL REFERENCES groups (id),
    url                        text NOT NULL,
    -- JSON array of categories; NULL: every Increase category.
    selected_event_categories  jsonb,
    -- The signing secret, sealed with the data key.
    secret_sealed              text NOT NULL,
    status                     text NOT NULL
        CONSTRAINT event_subscriptions_status_known CHECK (status IN ('active', 'disabled', 'deleted')),
    idempotency_key            text,
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL
);
CREATE INDEX event_subscriptions_listing ON event_subscriptions (group_id, created_at, seq);

-- One row per event and subscription. A worker claims due rows with
-- `FOR UPDATE SKIP LOCKED` and leases them (`locked_until`); a crash
-- mid-attempt lets the lease lapse.
CREATE TABLE webhook_deliveries (
    seq              bigserial PRIMARY KEY,
    event_id         text NOT NULL REFERENCES events (id),
    subscription_id  text NOT NULL REFERENCES event_subscriptions (id),
    status           text NOT NULL
        CONSTRAINT webhook_deliveries_status_known CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    locked_until     timestamptz,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, seq);
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, seq);

-- When the customer first opened the form (the `.opened` session event).
ALTER TABLE entity_onboarding_sessions ADD COLUMN opened_at timestamptz;
