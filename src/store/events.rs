//! Events, Event Subscriptions and the webhook delivery queue. An event is
//! written in the unit of work of the change it describes, together with a
//! delivery row for each active subscription that selects it: a committed
//! change always has its event and its deliveries, a rolled-back one neither.

use chrono::{DateTime, Utc};
use sqlx::types::Json;

use super::{
    Backend, Conn, Cursor, Page, SAME_GROUP, Store, StoreError, UnitOfWork, Window, on, position, read, time::Ts,
};
use crate::domain::{
    event::{Event, EventCategory, EventSubscription, SubscriptionStatus, WebhookSecret},
    ids::{EventId, EventSubscriptionId, GroupId, IdempotencyKey},
};

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    id: EventId,
    category: EventCategory,
    associated_object_type: String,
    associated_object_id: String,
    created_at: Ts,
}

/// An event just recorded, with how many deliveries were queued for it.
#[derive(sqlx::FromRow)]
struct EventRowQueued {
    #[sqlx(flatten)]
    event: EventRow,
    queued: i64,
}

impl From<EventRow> for Event {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.id,
            category: row.category,
            associated_object_type: row.associated_object_type,
            associated_object_id: row.associated_object_id,
            created_at: row.created_at.into(),
        }
    }
}

const EVENT_COLUMNS: &str = "seq, id, category, associated_object_type, associated_object_id, created_at";

#[derive(sqlx::FromRow)]
struct SubscriptionRow {
    seq: i64,
    id: EventSubscriptionId,
    url: String,
    selected_event_categories: Option<Json<Vec<EventCategory>>>,
    status: SubscriptionStatus,
    idempotency_key: Option<IdempotencyKey>,
    created_at: Ts,
}

impl TryFrom<SubscriptionRow> for EventSubscription {
    type Error = StoreError;

    fn try_from(row: SubscriptionRow) -> Result<Self, StoreError> {
        Ok(Self {
            url: url::Url::parse(&row.url).map_err(|e| StoreError::Corrupt(format!("url of {}: {e}", row.id)))?,
            id: row.id,
            selected_event_categories: row.selected_event_categories.map(|json| json.0),
            status: row.status,
            idempotency_key: row.idempotency_key,
            created_at: row.created_at.into(),
        })
    }
}

const SUBSCRIPTION_COLUMNS: &str = "seq, id, url, selected_event_categories, status, idempotency_key, created_at";

/// Which events a listing shows.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// `None`: every Increase category (the session ones only when named).
    pub categories: Option<Vec<EventCategory>>,
    pub associated_object_id: Option<String>,
    /// `[from, until)` on `created_at`.
    pub created_from: Option<DateTime<Utc>>,
    pub created_until: Option<DateTime<Utc>>,
    /// Oldest first rather than newest first.
    pub ascending: bool,
}

/// A subscription about to be made.
#[derive(Debug, Clone)]
pub struct NewEventSubscription {
    pub url: url::Url,
    pub selected_event_categories: Option<Vec<EventCategory>>,
    pub secret: WebhookSecret,
    pub status: SubscriptionStatus,
}

pub(super) fn secret_context(id: &EventSubscriptionId) -> String {
    format!("webhook_secret/{id}")
}

async fn find_subscription(
    conn: Conn<'_>,
    group: &GroupId,
    id: &EventSubscriptionId,
) -> Result<Option<EventSubscription>, StoreError> {
    let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM event_subscriptions WHERE id = $2 AND {SAME_GROUP}");
    let row: Option<SubscriptionRow> = on!(conn, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(group)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    row.map(EventSubscription::try_from).transpose()
}

/// Queues the event `$1` of the group `$2` and category `$3` for delivery:
/// one row per active subscription of the group that selects the category
/// (none: no row), due at `at`; a subscription selecting nothing takes
/// Increase's categories when `increase` is true. `selected` is the
/// dialect's test of a subscription's selection for `$3`.
fn queue_deliveries(at: &str, increase: &str, selected: &str) -> String {
    format!(
        "INSERT INTO webhook_deliveries (event_id, subscription_id, status, next_attempt_at, created_at)
         SELECT $1, id, 'pending', {at}, {at} FROM event_subscriptions
         WHERE group_id = $2 AND status = 'active'
           AND ((selected_event_categories IS NULL AND {increase}) OR {selected})"
    )
}

impl UnitOfWork {
    /// Records that `category` happened to the object `object_id`, and
    /// queues its delivery to every active subscription of the group that
    /// selects it. The delivery worker is woken once this commits.
    #[tracing::instrument(skip_all, fields(category = %category))]
    pub async fn record_event(
        &mut self,
        group: &GroupId,
        category: EventCategory,
        object_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Event, StoreError> {
        let id = EventId::generate();
        let insert_event =
            "INSERT INTO events (id, group_id, category, associated_object_type, associated_object_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)";
        // PostgreSQL writes the event and its deliveries in one statement
        // (their foreign key to the event is checked at its end, when the
        // event is there): one round trip. A SQLite statement writes one
        // table, so the deliveries follow in a second one.
        let (sql, then_deliveries) = match self.backend() {
            Backend::Sqlite => {
                let selected = "CASE WHEN json_valid(selected_event_categories)
                    THEN EXISTS (SELECT 1 FROM json_each(selected_event_categories) WHERE value = $3)
                    ELSE 0 END";
                (
                    format!("{insert_event} RETURNING {EVENT_COLUMNS}, 0 AS queued"),
                    Some(queue_deliveries("$4", "$5", selected)),
                )
            }
            Backend::Postgres => {
                let deliveries =
                    queue_deliveries("$6", "$7", "selected_event_categories @> jsonb_build_array($3::text)");
                let sql = format!(
                    "WITH event AS ({insert_event} RETURNING {EVENT_COLUMNS}),
                          queued AS ({deliveries} RETURNING 1)
                     SELECT event.*, (SELECT count(*) FROM queued) AS queued FROM event"
                );
                (sql, None)
            }
        };
        // `$7` is the deliveries' flag, unused by SQLite's first statement.
        let row: EventRowQueued = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&id)
            .bind(group)
            .bind(category)
            .bind(category.associated_object_type())
            .bind(object_id)
            .bind(Ts(now))
            .bind(category.is_increase())
            .fetch_one(&mut *c)
            .await?);
        let mut queued = row.queued > 0;
        if let Some(sql) = then_deliveries {
            queued = on!(self.conn()?, c => sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&id)
                .bind(group)
                .bind(category.as_str())
                .bind(Ts(now))
                .bind(category.is_increase())
                .execute(&mut *c)
                .await?
                .rows_affected())
                > 0;
        }
        if queued {
            let wake = self.deliveries.clone();
            self.after_commit(move || wake.notify_one());
        }
        Ok(row.event.into())
    }

    /// Makes a subscription, its secret sealed.
    pub async fn insert_subscription(
        &mut self,
        group: &GroupId,
        new: &NewEventSubscription,
        idempotency_key: Option<&IdempotencyKey>,
        now: DateTime<Utc>,
    ) -> Result<EventSubscription, StoreError> {
        let id = EventSubscriptionId::generate();
        let sealed = self.custody.seal_text(new.secret.expose(), &secret_context(&id))?;
        let sql = format!(
            "INSERT INTO event_subscriptions
                (id, group_id, url, selected_event_categories, secret_sealed, status, idempotency_key, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {SUBSCRIPTION_COLUMNS}"
        );
        let row: SubscriptionRow = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&id)
            .bind(group)
            .bind(new.url.as_str())
            .bind(new.selected_event_categories.as_ref().map(Json))
            .bind(&sealed)
            .bind(new.status)
            .bind(idempotency_key)
            .bind(Ts(now))
            .fetch_one(&mut *c)
            .await?);
        row.try_into()
    }

    /// Sets a subscription's status; `None` when the group has no such
    /// subscription. A deleted subscription stays deleted, and its pending
    /// deliveries (and a disabled one's) are dropped.
    pub async fn update_subscription_status(
        &mut self,
        group: &GroupId,
        id: &EventSubscriptionId,
        status: SubscriptionStatus,
        now: DateTime<Utc>,
    ) -> Result<Option<EventSubscription>, StoreError> {
        let sql = format!(
            "UPDATE event_subscriptions SET status = $1, updated_at = $2
             WHERE id = $4 AND (group_id = $3) IS TRUE AND status <> 'deleted' RETURNING {SUBSCRIPTION_COLUMNS}"
        );
        let row: Option<SubscriptionRow> = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(status)
            .bind(Ts(now))
            .bind(group)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        if row.is_some() && status != SubscriptionStatus::Active {
            let sql = "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
                           last_error = 'the subscription was ' || $1
                       WHERE subscription_id = $2 AND status = 'pending'";
            on!(self.conn()?, c => sqlx::query(sql)
                .bind(status.as_str())
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        match row {
            Some(row) => Ok(Some(row.try_into()?)),
            // Deleted already, or not there: shown as it is.
            None => find_subscription(self.conn()?, group, id).await,
        }
    }
}

impl Store {
    pub async fn find_event(&self, group: &GroupId, id: &EventId) -> Result<Option<Event>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $2 AND {SAME_GROUP}");
        let row: Option<EventRow> = read!(self, conn => on!(conn, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(group)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?));
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(skip_all)]
    pub async fn list_events(
        &self,
        group: &GroupId,
        filter: &EventFilter,
        window: Window,
    ) -> Result<Page<Event>, StoreError> {
        let categories = filter
            .categories
            .clone()
            .unwrap_or_else(EventCategory::increase_categories);
        let rows: Vec<EventRow> = read!(self, conn => on!(conn, c => {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {EVENT_COLUMNS} FROM events WHERE group_id = "));
            query.push_bind(group);
            query.push(" AND category IN (");
            let mut list = query.separated(", ");
            for category in &categories {
                list.push_bind(*category);
            }
            query.push(")");
            if let Some(object) = &filter.associated_object_id {
                query.push(" AND associated_object_id = ").push_bind(object);
            }
            if let Some(from) = filter.created_from {
                query.push(" AND created_at >= ").push_bind(Ts(from));
            }
            if let Some(until) = filter.created_until {
                query.push(" AND created_at < ").push_bind(Ts(until));
            }
            if filter.ascending {
                if let Some(Cursor { created_at, seq }) = window.after {
                    match created_at {
                        Some(at) => {
                            query.push(" AND (created_at, seq) > (").push_bind(at).push(", ").push_bind(seq).push(")");
                        }
                        None => {
                            query.push(" AND seq > ").push_bind(seq);
                        }
                    }
                }
                query.push(" ORDER BY created_at, seq LIMIT ").push_bind(i64::from(window.limit) + 1);
            } else {
                window.finish(&mut query, "events");
            }
            query.build_query_as().fetch_all(&mut *c).await?
        }));
        Page::from_rows(
            rows,
            window,
            |row| position(row.created_at, row.seq),
            |row| Ok(row.into()),
        )
    }

    pub async fn find_subscription(
        &self,
        group: &GroupId,
        id: &EventSubscriptionId,
    ) -> Result<Option<EventSubscription>, StoreError> {
        Ok(read!(self, c => find_subscription(c, group, id).await?))
    }

    /// Newest first; deleted subscriptions are not listed.
    pub async fn list_subscriptions(
        &self,
        group: &GroupId,
        idempotency_key: Option<&IdempotencyKey>,
        window: Window,
    ) -> Result<Page<EventSubscription>, StoreError> {
        let rows: Vec<SubscriptionRow> = read!(self, conn => on!(conn, c => {
            let mut query = sqlx::QueryBuilder::new(format!(
                "SELECT {SUBSCRIPTION_COLUMNS} FROM event_subscriptions WHERE status <> 'deleted' AND group_id = "
            ));
            query.push_bind(group);
            if let Some(key) = idempotency_key {
                query.push(" AND idempotency_key = ").push_bind(key);
            }
            window.finish(&mut query, "event_subscriptions");
            query.build_query_as().fetch_all(&mut *c).await?
        }));
        Page::from_rows(
            rows,
            window,
            |row| position(row.created_at, row.seq),
            EventSubscription::try_from,
        )
    }
}

/// A delivery the worker has leased: the event, where it goes, and the
/// secret to sign it with.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub seq: i64,
    pub attempts: i32,
    /// When this delivery was queued (or queued again): retries stop three
    /// days after it.
    pub queued_at: DateTime<Utc>,
    pub event: Event,
    pub subscription_id: EventSubscriptionId,
    pub url: String,
    pub secret: WebhookSecret,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    seq: i64,
    attempts: i32,
    queued_at: Ts,
    subscription_id: EventSubscriptionId,
    url: String,
    secret_sealed: String,
    event_id: EventId,
    category: EventCategory,
    associated_object_type: String,
    associated_object_id: String,
    event_created_at: Ts,
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub enum AttemptOutcome {
    Delivered {
        status_code: u16,
    },
    /// Retry at `retry_at`, or give up when `None`.
    Failed {
        status_code: Option<u16>,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// One delivery as the operator sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryRecord {
    pub event_id: String,
    pub category: String,
    pub subscription_id: String,
    pub url: String,
    pub status: String,
    pub attempts: i32,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    event_id: String,
    category: String,
    subscription_id: String,
    url: String,
    status: String,
    attempts: i32,
    last_attempt_at: Option<Ts>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    next_attempt_at: Option<Ts>,
    created_at: Ts,
}

impl Store {
    /// Leases up to `limit` deliveries that are due, oldest first, until
    /// `lease_until`: no other worker (on PostgreSQL, no other instance)
    /// attempts them meanwhile; if this one dies, the lease lapses and
    /// another attempt follows.
    pub async fn lease_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        // Most passes find nothing due: a read says so without taking the
        // (on SQLite, single) writer.
        let sql = "SELECT seq FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1";
        let any: Option<i64> =
            read!(self, conn => on!(conn, c => sqlx::query_scalar(sql).bind(Ts(now)).fetch_optional(&mut *c).await?));
        if any.is_none() {
            return Ok(Vec::new());
        }
        let mut work = self.begin().await?;
        // Deliveries to a subscription disabled or deleted meanwhile end here
        // (one queued by a change that committed after the disabling).
        let sql = "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, locked_until = NULL,
                       last_error = 'the subscription is no longer active'
                   WHERE status = 'pending' AND next_attempt_at <= $1
                     AND subscription_id IN (SELECT id FROM event_subscriptions WHERE status <> 'active')";
        on!(work.conn()?, c => sqlx::query(sql).bind(Ts(now)).execute(&mut *c).await?.rows_affected());
        // The oldest due delivery of each subscription that has none in
        // flight: one attempt at a time per endpoint, in order, so a slow
        // or failing endpoint holds up only itself.
        let sql = "SELECT seq FROM (
                       SELECT d.seq, d.next_attempt_at,
                              ROW_NUMBER() OVER (PARTITION BY d.subscription_id ORDER BY d.next_attempt_at, d.seq) AS place
                       FROM webhook_deliveries d
                       JOIN event_subscriptions s ON s.id = d.subscription_id AND s.status = 'active'
                       WHERE d.status = 'pending' AND d.next_attempt_at <= $1
                         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries busy
                                         WHERE busy.subscription_id = d.subscription_id
                                           AND busy.status = 'pending' AND busy.locked_until > $1)
                   ) due WHERE place = 1 ORDER BY next_attempt_at, seq LIMIT $2";
        let candidates: Vec<i64> =
            on!(work.conn()?, c => sqlx::query_scalar(sql).bind(Ts(now)).bind(limit).fetch_all(&mut *c).await?);
        if candidates.is_empty() {
            work.commit().await?;
            return Ok(Vec::new());
        }
        // The lease itself re-checks the row under its lock: of several
        // instances that chose the same row, one leases it.
        let leased: Vec<i64> = on!(work.conn()?, c => {
            let mut query = sqlx::QueryBuilder::new("UPDATE webhook_deliveries SET locked_until = ");
            query.push_bind(Ts(lease_until));
            query.push(" WHERE status = 'pending' AND (locked_until IS NULL OR locked_until <= ");
            query.push_bind(Ts(now));
            query.push(") AND seq IN (");
            let mut list = query.separated(", ");
            for seq in &candidates {
                list.push_bind(*seq);
            }
            query.push(") RETURNING seq");
            query.build_query_scalar().fetch_all(&mut *c).await?
        });
        let mut due = Vec::new();
        for seq in leased {
            let sql = "SELECT d.seq, d.attempts, d.created_at AS queued_at, d.subscription_id, s.url, s.secret_sealed,
                              e.id AS event_id, e.category, e.associated_object_type,
                              e.associated_object_id, e.created_at AS event_created_at
                       FROM webhook_deliveries d
                       JOIN events e ON e.id = d.event_id
                       JOIN event_subscriptions s ON s.id = d.subscription_id
                       WHERE d.seq = $1";
            let row: Option<DueRow> =
                on!(work.conn()?, c => sqlx::query_as(sql).bind(seq).fetch_optional(&mut *c).await?);
            let Some(row) = row else { continue };
            let secret = self
                .custody
                .open_text(&row.secret_sealed, &secret_context(&row.subscription_id))
                .map_err(|e| e.to_string())
                .and_then(|secret| WebhookSecret::parse(&secret).map_err(str::to_owned));
            let secret = match secret {
                Ok(secret) => secret,
                // One unreadable secret (say, sealed under a key no longer
                // configured) fails its own delivery, not everyone's.
                Err(error) => {
                    tracing::warn!(subscription_id = %row.subscription_id, %error, "cannot open a webhook secret");
                    let sql = "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL,
                                   locked_until = NULL, last_error = $1
                               WHERE seq = $2";
                    let error = format!("cannot open the subscription's secret: {error}");
                    on!(work.conn()?, c => sqlx::query(sql).bind(&error).bind(seq).execute(&mut *c).await?.rows_affected());
                    continue;
                }
            };
            due.push(DueDelivery {
                seq: row.seq,
                attempts: row.attempts,
                queued_at: row.queued_at.into(),
                event: Event {
                    id: row.event_id,
                    category: row.category,
                    associated_object_type: row.associated_object_type,
                    associated_object_id: row.associated_object_id,
                    created_at: row.event_created_at.into(),
                },
                subscription_id: row.subscription_id,
                url: row.url,
                secret,
            });
        }
        work.commit().await?;
        Ok(due)
    }

    /// Records how an attempt went and releases its lease.
    pub async fn record_attempt(
        &self,
        seq: i64,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut work = self.begin().await?;
        let (status, code, error, next) = match outcome {
            AttemptOutcome::Delivered { status_code } => ("delivered", Some(i32::from(*status_code)), None, None),
            AttemptOutcome::Failed {
                status_code,
                error,
                retry_at,
            } => (
                if retry_at.is_some() { "pending" } else { "failed" },
                status_code.map(i32::from),
                Some(error.as_str()),
                *retry_at,
            ),
        };
        // Only a delivery still pending is updated: a subscription disabled
        // meanwhile has already ended it.
        let sql = "UPDATE webhook_deliveries
                   SET status = $1, attempts = attempts + 1, last_attempt_at = $2, last_status_code = $3,
                       last_error = $4, next_attempt_at = $5, locked_until = NULL
                   WHERE seq = $6 AND status = 'pending'";
        on!(work.conn()?, c => sqlx::query(sql)
            .bind(status)
            .bind(Ts(now))
            .bind(code)
            .bind(error)
            .bind(next.map(Ts))
            .bind(seq)
            .execute(&mut *c)
            .await?
            .rows_affected());
        work.commit().await
    }

    /// The most recent deliveries, newest first, of one subscription or all.
    pub async fn recent_deliveries(
        &self,
        subscription: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let sql = "SELECT d.event_id, e.category, d.subscription_id, s.url, d.status, d.attempts,
                          d.last_attempt_at, d.last_status_code, d.last_error, d.next_attempt_at, d.created_at
                   FROM webhook_deliveries d
                   JOIN events e ON e.id = d.event_id
                   JOIN event_subscriptions s ON s.id = d.subscription_id
                   WHERE ($1 IS NULL OR d.subscription_id = $1)
                   ORDER BY d.seq DESC LIMIT $2";
        let rows: Vec<DeliveryRow> = read!(self, conn => on!(conn, c => sqlx::query_as(sql)
            .bind(subscription)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?));
        Ok(rows
            .into_iter()
            .map(|row| DeliveryRecord {
                event_id: row.event_id,
                category: row.category,
                subscription_id: row.subscription_id,
                url: row.url,
                status: row.status,
                attempts: row.attempts,
                last_attempt_at: row.last_attempt_at.map(Into::into),
                last_status_code: row.last_status_code,
                last_error: row.last_error,
                next_attempt_at: row.next_attempt_at.map(Into::into),
                created_at: row.created_at.into(),
            })
            .collect())
    }

    /// Queues an event again for every active subscription that selects it
    /// (or only for `subscription`): a finished delivery starts over, with
    /// the same `webhook-id`. Returns how many deliveries were queued.
    pub async fn redeliver(
        &self,
        event: &EventId,
        subscription: Option<&EventSubscriptionId>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut work = self.begin().await?;
        let sql = format!("SELECT {EVENT_COLUMNS}, group_id FROM events WHERE id = $1");
        let row: Option<EventWithGroup> = on!(work.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(event)
            .fetch_optional(&mut *c)
            .await?);
        let Some(row) = row else {
            return Err(StoreError::NotFound);
        };
        let sql =
            format!("SELECT {SUBSCRIPTION_COLUMNS} FROM event_subscriptions WHERE group_id = $1 AND status = 'active'");
        let subscriptions: Vec<SubscriptionRow> = on!(work.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&row.group_id)
            .fetch_all(&mut *c)
            .await?);
        let mut queued = 0;
        for candidate in subscriptions {
            let candidate = EventSubscription::try_from(candidate)?;
            let wanted = match subscription {
                Some(only) => *only == candidate.id,
                None => candidate.selects(row.event.category),
            };
            if !wanted {
                continue;
            }
            let sql = "INSERT INTO webhook_deliveries (event_id, subscription_id, status, next_attempt_at, created_at)
                       VALUES ($1, $2, 'pending', $3, $3)
                       ON CONFLICT (event_id, subscription_id) DO UPDATE SET
                           status = 'pending', next_attempt_at = excluded.next_attempt_at,
                           attempts = 0, created_at = excluded.created_at";
            queued += on!(work.conn()?, c => sqlx::query(sql)
                .bind(event)
                .bind(&candidate.id)
                .bind(Ts(now))
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        if queued > 0 {
            let wake = self.deliveries.clone();
            work.after_commit(move || wake.notify_one());
        }
        work.commit().await?;
        Ok(queued)
    }
}

#[derive(sqlx::FromRow)]
struct EventWithGroup {
    #[sqlx(flatten)]
    event: EventRow,
    group_id: GroupId,
}
