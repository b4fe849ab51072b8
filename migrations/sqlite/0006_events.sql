-- Events (an outbox: written in the transaction of the change they
-- describe), Event Subscriptions and the queue of webhook deliveries.

CREATE TABLE events (
    seq                     INTEGER PRIMARY KEY AUTOINCREMENT,
    id                      TEXT NOT NULL UNIQUE,
    group_id                TEXT NOT NULL REFERENCES groups (id),
    category                TEXT NOT NULL,
    associated_object_type  TEXT NOT NULL,
    associated_object_id    TEXT NOT NULL,
    created_at              INTEGER NOT NULL
);
CREATE INDEX events_listing ON events (group_id, created_at, seq);
CREATE INDEX events_by_object ON events (group_id, associated_object_id, created_at, seq);

CREATE TABLE event_subscriptions (
    seq                        INTEGER PRIMARY KEY AUTOINCREMENT,
    id                         TEXT NOT NULL UNIQUE,
    group_id                   TEXT NOT NULL REFERENCES groups (id),
    url                        TEXT NOT NULL,
    -- JSON array of categories; NULL: every Increase category.
    selected_event_categories  TEXT,
    -- The signing secret, sealed with the data key.
    secret_sealed              TEXT NOT NULL,
    status                     TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'deleted')),
    idempotency_key            TEXT,
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL
);
CREATE INDEX event_subscriptions_listing ON event_subscriptions (group_id, created_at, seq);

-- One row per event and subscription. A worker claims due rows by leasing
-- them (`locked_until`); a crash mid-attempt lets the lease lapse.
CREATE TABLE webhook_deliveries (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT NOT NULL REFERENCES events (id),
    subscription_id  TEXT NOT NULL REFERENCES event_subscriptions (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    locked_until     INTEGER,
    last_attempt_at  INTEGER,
    last_status_code INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, seq);
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, seq);

-- When the customer first opened the form (the `.opened` session event).
ALTER TABLE entity_onboarding_sessions ADD COLUMN opened_at INTEGER;
