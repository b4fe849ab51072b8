//! Personal data at rest: full identification numbers (sealed), the audit log
//! of every attempt to reveal them, re-sealing under a new data key, and the
//! one-time conversion of secrets that earlier releases kept in clear.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteConnectOptions;

use super::{Store, StoreError, UnitOfWork, on, read, time::Ts};
use crate::{
    config::{DatabaseTarget, Settings},
    custody::{self, Keyring, is_sealed},
    domain::{
        entity::{EntityDetails, IdentificationMethod},
        ids::{
            ApiKeyId, BeneficialOwnerId, EntityId, EventSubscriptionId, FormToken, GroupId, IdempotencyKey, SessionId,
        },
        tax_id::FullNumber,
    },
};

/// The keys for these settings: `ONBOARDING_DATA_KEY` (plus any previous
/// keys) when given; else, for a SQLite file, the key file beside it,
/// generated on first start; PostgreSQL requires the setting.
pub(super) fn keyring(settings: &Settings) -> Result<Keyring, StoreError> {
    let target = settings.database_url.target().map_err(StoreError::Config)?;
    let key_file = match target {
        DatabaseTarget::Postgres(_) => None,
        DatabaseTarget::Sqlite(url) => {
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let options = SqliteConnectOptions::from_str(url)?;
            (!in_memory).then(|| custody::key_file_for(options.get_filename()))
        }
    };
    let mut previous = settings.previous_data_keys.clone();
    let current = match (&settings.data_key, key_file) {
        (Some(key), key_file) => {
            // A key file from before the key was set stays readable.
            if let Some(path) = key_file.filter(|path| path.exists()) {
                previous.push(custody::load_or_create_key_file(&path).map_err(StoreError::Config)?.0);
            }
            key.clone()
        }
        (None, Some(path)) => {
            let (key, created) = custody::load_or_create_key_file(&path).map_err(StoreError::Config)?;
            if created {
                tracing::warn!(
                    key_file = %path.display(),
                    key_id = %key.id(),
                    "generated the data key that encrypts personal data in this database; back it up with \
                     the database (without it, identification numbers cannot be read), or set ONBOARDING_DATA_KEY"
                );
            }
            key
        }
        (None, None) if matches!(target, DatabaseTarget::Postgres(_)) => {
            return Err(StoreError::Config(
                "ONBOARDING_DATA_KEY is required with PostgreSQL: it encrypts personal data, and every instance \
                 must share it (32 bytes as 64 hex digits or base64; `onboarding data-keys generate` prints a new one)"
                    .to_owned(),
            ));
        }
        (None, None) => return Ok(Keyring::ephemeral()),
    };
    Ok(Keyring::new(&current, &previous))
}

/// How the hosted form finds a session: a hash of its link's token.
pub(super) fn token_hash(token: &FormToken) -> String {
    format!("h1:{}", hex::encode(Sha256::digest(token.expose().as_bytes())))
}

pub(super) fn token_context(session: &SessionId) -> String {
    format!("form_token/{session}")
}

pub(super) fn fingerprint_context(group: &GroupId, key: &IdempotencyKey) -> String {
    format!("idempotency_fingerprint/{group}/{}", key.as_str())
}

pub(super) fn response_context(group: &GroupId, key: &IdempotencyKey) -> String {
    format!("idempotency_response/{group}/{}", key.as_str())
}

fn number_context(entity: &str, subject: &str, method: &str) -> String {
    format!("identification_number/{entity}/{subject}/{method}")
}

/// The row a person's number is kept under: the Entity's own ID for its
/// natural person, the owner's ID for a beneficial owner.
fn subject_id<'a>(entity: &'a EntityId, owner: Option<&'a BeneficialOwnerId>) -> &'a str {
    owner.map_or(entity.as_str(), |owner| owner.as_str())
}

/// Whom a revealed number belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    NaturalPerson,
    BeneficialOwner,
}

/// One person's whole identification number, opened for the audited reveal.
#[derive(Debug, Clone)]
pub struct RevealedNumber {
    pub subject: Subject,
    pub beneficial_owner_id: Option<BeneficialOwnerId>,
    pub method: IdentificationMethod,
    pub number: FullNumber,
}

crate::domain::closed_set::closed_set! {
    /// How an attempt to reveal personal data ended.
    pub enum AuditOutcome {
        Revealed = "revealed",
        /// The key lacks the permission.
        Refused = "refused",
        /// The key may reveal, but its group has no such Entity.
        NotFound = "not_found",
    }
}

/// An attempt about to be recorded.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub action: &'a str,
    pub outcome: AuditOutcome,
    pub group_id: &'a GroupId,
    pub api_key_id: &'a ApiKeyId,
    /// As requested (it may name no Entity at all).
    pub entity_id: &'a str,
    pub client_ip: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

/// A recorded attempt, as `onboarding audit list` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub action: String,
    pub outcome: AuditOutcome,
    pub group_id: GroupId,
    pub api_key_id: ApiKeyId,
    pub entity_id: String,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    action: String,
    outcome: AuditOutcome,
    group_id: GroupId,
    api_key_id: ApiKeyId,
    entity_id: String,
    client_ip: Option<String>,
    request_id: Option<String>,
    created_at: Ts,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        Self {
            seq: row.seq,
            action: row.action,
            outcome: row.outcome,
            group_id: row.group_id,
            api_key_id: row.api_key_id,
            entity_id: row.entity_id,
            client_ip: row.client_ip,
            request_id: row.request_id,
            created_at: row.created_at.into(),
        }
    }
}

/// What one pass of re-sealing moved to the current key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resealed {
    pub identification_numbers: u64,
    pub form_tokens: u64,
    pub responses: u64,
    pub drafts: u64,
    pub webhook_secrets: u64,
}

impl Resealed {
    pub fn total(&self) -> u64 {
        self.identification_numbers + self.form_tokens + self.responses + self.drafts + self.webhook_secrets
    }

    pub fn add(&mut self, other: Self) {
        self.identification_numbers += other.identification_numbers;
        self.form_tokens += other.form_tokens;
        self.responses += other.responses;
        self.drafts += other.drafts;
        self.webhook_secrets += other.webhook_secrets;
    }
}

#[derive(sqlx::FromRow)]
struct NumberRow {
    entity_id: String,
    subject_id: String,
    method: String,
    number_sealed: String,
}

const BATCH: i64 = 500;

/// How many times the log's truncation is tried, 50 ms apart, before it is
/// left for later (a checkpoint under way takes well under a second).
const TRUNCATE_TRIES: usize = 40;

impl UnitOfWork {
    /// Seals the whole numbers just given in `details` and forgets those of
    /// people the Entity no longer names. Numbers not given again (`None`)
    /// keep what was sealed before.
    pub(super) async fn keep_identification_numbers(
        &mut self,
        entity: &EntityId,
        details: &EntityDetails,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let people = details.people();
        let named: Vec<&str> = people
            .iter()
            .filter(|(_, person)| person.identification.is_some())
            .map(|(owner, _)| subject_id(entity, *owner))
            .collect();
        on!(self.conn()?, c => {
            let mut forget = sqlx::QueryBuilder::new("DELETE FROM identification_numbers WHERE entity_id = ");
            forget.push_bind(entity);
            if !named.is_empty() {
                forget.push(" AND subject_id NOT IN (");
                let mut list = forget.separated(", ");
                for subject in &named {
                    list.push_bind(*subject);
                }
                forget.push(")");
            }
            forget.build().execute(&mut *c).await?.rows_affected()
        });
        for (owner, person) in people {
            let Some(identification) = &person.identification else {
                continue;
            };
            let Some(number) = &identification.number else { continue };
            let subject = subject_id(entity, owner);
            let method = identification.method.as_str();
            let sealed = self
                .custody
                .seal_text(number.expose(), &number_context(entity.as_str(), subject, method))?;
            let key_id = self.custody.current_id().to_owned();
            let sql = "INSERT INTO identification_numbers
                    (entity_id, subject_id, method, number_sealed, key_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)
                 ON CONFLICT (entity_id, subject_id) DO UPDATE SET
                    method = excluded.method, number_sealed = excluded.number_sealed,
                    key_id = excluded.key_id, updated_at = excluded.updated_at";
            on!(self.conn()?, c => sqlx::query(sql)
                .bind(entity)
                .bind(subject)
                .bind(method)
                .bind(&sealed)
                .bind(&key_id)
                .bind(Ts(now))
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        Ok(())
    }
}

impl Store {
    /// The whole identification numbers of an Entity of the group, in the
    /// order the Entity names its people; `None` when there is no such
    /// Entity. People without a stored number (given before numbers were
    /// kept, or never given) are left out.
    #[tracing::instrument(skip_all, fields(entity_id = %entity))]
    pub async fn identification_numbers(
        &self,
        group: &GroupId,
        entity: &EntityId,
    ) -> Result<Option<Vec<RevealedNumber>>, StoreError> {
        let Some(found) = self.find_entity(group, entity).await? else {
            return Ok(None);
        };
        let sql =
            "SELECT entity_id, subject_id, method, number_sealed FROM identification_numbers WHERE entity_id = $1";
        let rows: Vec<NumberRow> =
            read!(self, conn => on!(conn, c => sqlx::query_as(sql).bind(entity).fetch_all(&mut *c).await?));
        let mut revealed = Vec::new();
        for (owner, _) in found.details.people() {
            let subject = subject_id(entity, owner);
            let Some(row) = rows.iter().find(|row| row.subject_id == subject) else {
                continue;
            };
            let method = IdentificationMethod::from_str(&row.method)
                .map_err(|_| StoreError::Corrupt(format!("identification method of {entity}/{subject}")))?;
            let number = self
                .custody
                .open_text(
                    &row.number_sealed,
                    &number_context(&row.entity_id, subject, &row.method),
                )
                .map_err(|e| StoreError::Corrupt(format!("identification number of {entity}/{subject}: {e}")))?;
            revealed.push(RevealedNumber {
                subject: if owner.is_some() {
                    Subject::BeneficialOwner
                } else {
                    Subject::NaturalPerson
                },
                beneficial_owner_id: owner.cloned(),
                method,
                number: FullNumber::from_stored(number.to_string()),
            });
        }
        Ok(Some(revealed))
    }

    /// Appends an attempt to reveal personal data to the audit log.
    pub async fn record_audit(&self, entry: &NewAuditEntry<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
        let sql = "INSERT INTO audit_log
                (action, outcome, group_id, api_key_id, entity_id, client_ip, request_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        let mut work = self.begin().await?;
        on!(work.conn()?, c => sqlx::query(sql)
            .bind(entry.action)
            .bind(entry.outcome)
            .bind(entry.group_id)
            .bind(entry.api_key_id)
            .bind(entry.entity_id)
            .bind(entry.client_ip)
            .bind(entry.request_id)
            .bind(Ts(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        work.commit().await
    }

    /// The audit log, oldest first, of one Entity or of all.
    pub async fn audit_log(&self, entity: Option<&str>) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = "SELECT seq, action, outcome, group_id, api_key_id, entity_id, client_ip, request_id, created_at
             FROM audit_log WHERE ($1 IS NULL OR entity_id = $1) ORDER BY seq";
        let rows: Vec<AuditRow> =
            read!(self, conn => on!(conn, c => sqlx::query_as(sql).bind(entity).fetch_all(&mut *c).await?));
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Re-seals under the current key up to a batch of each kind of sealed
    /// value that an older key sealed, each batch in its own short
    /// transaction, so the service keeps serving meanwhile. Call until it
    /// returns nothing moved.
    pub async fn reseal_batch(&self, after: &mut ResealPosition) -> Result<Resealed, StoreError> {
        let mut moved = Resealed::default();
        let mut work = self.begin().await?;
        let current = self.custody.current_id().to_owned();

        let sql = "SELECT entity_id, subject_id, method, number_sealed FROM identification_numbers
                   WHERE key_id <> $1 LIMIT $2";
        let rows: Vec<NumberRow> =
            on!(work.conn()?, c => sqlx::query_as(sql).bind(&current).bind(BATCH).fetch_all(&mut *c).await?);
        for row in rows {
            let context = number_context(&row.entity_id, &row.subject_id, &row.method);
            let number = self.unseal(&row.number_sealed, &context)?;
            let sealed = self.custody.seal_text(&number, &context)?;
            let sql = "UPDATE identification_numbers SET number_sealed = $1, key_id = $2
                       WHERE entity_id = $3 AND subject_id = $4 AND number_sealed = $5";
            moved.identification_numbers += on!(work.conn()?, c => sqlx::query(sql)
                .bind(&sealed)
                .bind(&current)
                .bind(&row.entity_id)
                .bind(&row.subject_id)
                .bind(&row.number_sealed)
                .execute(&mut *c)
                .await?
                .rows_affected());
        }

        // Form tokens and stored responses carry their key in the envelope:
        // walked in key order, a position at a time.
        if let Some(last) = after.session_seq {
            let sql = "SELECT seq, id, token_sealed FROM entity_onboarding_sessions
                       WHERE seq > $1 AND token_sealed IS NOT NULL ORDER BY seq LIMIT $2";
            let rows: Vec<(i64, SessionId, String)> =
                on!(work.conn()?, c => sqlx::query_as(sql).bind(last).bind(BATCH).fetch_all(&mut *c).await?);
            after.session_seq = rows.last().map(|(seq, _, _)| *seq);
            for (seq, id, sealed) in rows
                .into_iter()
                .filter(|(_, _, sealed)| !self.custody.is_current(sealed))
            {
                let context = token_context(&id);
                let token = self.unseal(&sealed, &context)?;
                let resealed = self.custody.seal_text(&token, &context)?;
                let sql =
                    "UPDATE entity_onboarding_sessions SET token_sealed = $1 WHERE seq = $2 AND token_sealed = $3";
                moved.form_tokens += on!(work.conn()?, c => sqlx::query(sql)
                    .bind(&resealed)
                    .bind(seq)
                    .bind(&sealed)
                    .execute(&mut *c)
                    .await?
                    .rows_affected());
            }
        }
        if let Some((group, key)) = after.response.clone() {
            let (rows, next) = self.responses_after(&mut work, &group, &key).await?;
            after.response = next;
            for row in rows {
                moved.responses += self.make_response_current(&mut work, row).await?;
            }
        }
        if let Some(last) = after.draft.clone() {
            let sql = "SELECT session_id, draft_sealed FROM session_drafts
                       WHERE session_id > $1 ORDER BY session_id LIMIT $2";
            let rows: Vec<(SessionId, String)> =
                on!(work.conn()?, c => sqlx::query_as(sql).bind(&last).bind(BATCH).fetch_all(&mut *c).await?);
            after.draft = rows.last().map(|(id, _)| id.as_str().to_owned());
            for (id, sealed) in rows.into_iter().filter(|(_, sealed)| !self.custody.is_current(sealed)) {
                let context = super::drafts::draft_context(&id);
                let draft = self.unseal(&sealed, &context)?;
                let resealed = self.custody.seal_text(&draft, &context)?;
                let sql = "UPDATE session_drafts SET draft_sealed = $1 WHERE session_id = $2 AND draft_sealed = $3";
                moved.drafts += on!(work.conn()?, c => sqlx::query(sql)
                    .bind(&resealed)
                    .bind(&id)
                    .bind(&sealed)
                    .execute(&mut *c)
                    .await?
                    .rows_affected());
            }
        }
        if let Some(last) = after.subscription_seq {
            let sql = "SELECT seq, id, secret_sealed FROM event_subscriptions WHERE seq > $1 ORDER BY seq LIMIT $2";
            let rows: Vec<(i64, EventSubscriptionId, String)> =
                on!(work.conn()?, c => sqlx::query_as(sql).bind(last).bind(BATCH).fetch_all(&mut *c).await?);
            after.subscription_seq = rows.last().map(|(seq, _, _)| *seq);
            for (seq, id, sealed) in rows
                .into_iter()
                .filter(|(_, _, sealed)| !self.custody.is_current(sealed))
            {
                let context = super::events::secret_context(&id);
                let secret = self.unseal(&sealed, &context)?;
                let resealed = self.custody.seal_text(&secret, &context)?;
                let sql = "UPDATE event_subscriptions SET secret_sealed = $1 WHERE seq = $2 AND secret_sealed = $3";
                moved.webhook_secrets += on!(work.conn()?, c => sqlx::query(sql)
                    .bind(&resealed)
                    .bind(seq)
                    .bind(&sealed)
                    .execute(&mut *c)
                    .await?
                    .rows_affected());
            }
        }
        work.commit().await?;
        Ok(moved)
    }

    fn unseal(&self, sealed: &str, context: &str) -> Result<zeroize::Zeroizing<String>, StoreError> {
        self.custody
            .open_text(sealed, context)
            .map_err(|e| StoreError::Corrupt(format!("{context}: {e}")))
    }

    /// Converts what a release before encryption left in clear: form tokens
    /// (hashed, and sealed while their session is active) and stored
    /// responses (sealed). Migration 0004 notes which tables need it, so this
    /// costs one query once done; it is safe to run from several instances.
    pub(super) async fn convert_clear_secrets(&self) -> Result<(), StoreError> {
        let sql = "SELECT name FROM pending_conversions ORDER BY name";
        let pending: Vec<String> =
            read!(self, conn => on!(conn, c => sqlx::query_scalar(sql).fetch_all(&mut *c).await?));
        if pending.is_empty() {
            return Ok(());
        }
        for name in pending {
            let converted = match name.as_str() {
                "form_tokens" => self.convert_form_tokens().await?,
                "idempotency_responses" => self.convert_responses().await?,
                other => return Err(StoreError::Corrupt(format!("unknown pending conversion {other:?}"))),
            };
            let mut work = self.begin().await?;
            on!(work.conn()?, c => sqlx::query("DELETE FROM pending_conversions WHERE name = $1")
                .bind(&name)
                .execute(&mut *c)
                .await?
                .rows_affected());
            work.commit().await?;
            tracing::info!(conversion = %name, rows = converted, "converted secrets stored in clear by an earlier release");
        }
        // The clear values may linger in the SQLite write-ahead log's older
        // frames: checkpoint it and truncate it to nothing. A checkpoint
        // already under way (the checkpointing task's) makes this one busy
        // at once, without waiting: it is tried again, with the writer let
        // go between tries.
        if let super::Pool::Sqlite { writer, .. } = &self.pool {
            let mut busy = 1;
            for _ in 0..TRUNCATE_TRIES {
                (busy, ..) = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(TRUNCATE)")
                    .fetch_one(writer.exclusive().await?.conn())
                    .await?;
                if busy == 0 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            if busy != 0 {
                tracing::warn!(
                    "the write-ahead log could not be truncated now (another connection reads it, or checkpoints)"
                );
            }
        }
        Ok(())
    }

    async fn convert_form_tokens(&self) -> Result<u64, StoreError> {
        let mut last = 0i64;
        let mut converted = 0;
        loop {
            let now = Ts(Utc::now());
            let mut work = self.begin().await?;
            let sql = "SELECT seq, id, token_hash, status = 'active' AND expires_at > $1 AS active
                       FROM entity_onboarding_sessions WHERE seq > $2 ORDER BY seq LIMIT $3";
            let rows: Vec<(i64, SessionId, String, bool)> =
                on!(work.conn()?, c => sqlx::query_as(sql).bind(now).bind(last).bind(BATCH).fetch_all(&mut *c).await?);
            let Some((end, ..)) = rows.last() else {
                work.commit().await?;
                return Ok(converted);
            };
            last = *end;
            for (seq, id, clear, active) in rows.into_iter().filter(|(_, _, token, _)| !token.starts_with("h1:")) {
                let Some(token) = FormToken::parse(&clear) else {
                    return Err(StoreError::Corrupt(format!("form token of {id}")));
                };
                let sealed = active
                    .then(|| self.custody.seal_text(token.expose(), &token_context(&id)))
                    .transpose()?;
                let sql = "UPDATE entity_onboarding_sessions SET token_hash = $1, token_sealed = $2
                           WHERE seq = $3 AND token_hash = $4";
                converted += on!(work.conn()?, c => sqlx::query(sql)
                    .bind(token_hash(&token))
                    .bind(sealed)
                    .bind(seq)
                    .bind(&clear)
                    .execute(&mut *c)
                    .await?
                    .rows_affected());
            }
            work.commit().await?;
        }
    }

    async fn convert_responses(&self) -> Result<u64, StoreError> {
        let mut converted = 0;
        let mut after = (String::new(), String::new());
        loop {
            let mut work = self.begin().await?;
            let (rows, next) = self.responses_after(&mut work, &after.0, &after.1).await?;
            for row in rows {
                converted += self.make_response_current(&mut work, row).await?;
            }
            work.commit().await?;
            match next {
                Some(next) => after = next,
                None => return Ok(converted),
            }
        }
    }

    /// A batch of stored responses after `(group, key)`, and where the next
    /// batch starts (`None` at the end).
    async fn responses_after(
        &self,
        work: &mut UnitOfWork,
        group: &str,
        key: &str,
    ) -> Result<(Vec<ResponseRow>, Option<(String, String)>), StoreError> {
        let sql = "SELECT group_id, key, fingerprint, response_body FROM idempotency_keys
                   WHERE group_id > $1 OR (group_id = $1 AND key > $2) ORDER BY group_id, key LIMIT $3";
        let rows: Vec<ResponseRow> = on!(work.conn()?, c => sqlx::query_as(sql)
            .bind(group)
            .bind(key)
            .bind(BATCH)
            .fetch_all(&mut *c)
            .await?);
        let next = (rows.len() == usize::try_from(BATCH).unwrap_or(usize::MAX))
            .then(|| {
                rows.last()
                    .map(|row| (row.group_id.as_str().to_owned(), row.key.as_str().to_owned()))
            })
            .flatten();
        Ok((rows, next))
    }

    /// Seals under the current key a stored response's fingerprint and body
    /// (the fingerprint hashes the request, which can hold a full ID number:
    /// in clear it could be matched against guesses). Returns 1 if it changed.
    async fn make_response_current(&self, work: &mut UnitOfWork, row: ResponseRow) -> Result<u64, StoreError> {
        let fingerprint = self.current(&row.fingerprint, &fingerprint_context(&row.group_id, &row.key))?;
        let body = self.current(&row.response_body, &response_context(&row.group_id, &row.key))?;
        if fingerprint.is_none() && body.is_none() {
            return Ok(0);
        }
        let sql = "UPDATE idempotency_keys SET fingerprint = $1, response_body = $2
                   WHERE group_id = $3 AND key = $4 AND fingerprint = $5 AND response_body = $6";
        Ok(on!(work.conn()?, c => sqlx::query(sql)
            .bind(fingerprint.as_deref().unwrap_or(&row.fingerprint))
            .bind(body.as_deref().unwrap_or(&row.response_body))
            .bind(&row.group_id)
            .bind(&row.key)
            .bind(&row.fingerprint)
            .bind(&row.response_body)
            .execute(&mut *c)
            .await?
            .rows_affected()))
    }

    /// `stored` sealed under the current key: `None` when it already is;
    /// a value in clear is sealed, one under an older key re-sealed.
    fn current(&self, stored: &str, context: &str) -> Result<Option<String>, StoreError> {
        if self.custody.is_current(stored) {
            return Ok(None);
        }
        let clear = if is_sealed(stored) {
            self.unseal(stored, context)?
        } else {
            zeroize::Zeroizing::new(stored.to_owned())
        };
        Ok(Some(self.custody.seal_text(&clear, context)?))
    }
}

#[derive(sqlx::FromRow)]
struct ResponseRow {
    group_id: GroupId,
    key: IdempotencyKey,
    fingerprint: String,
    response_body: String,
}

/// Where [`Store::reseal_batch`] has got to in the tables it walks in order;
/// `None` once a table is done.
#[derive(Debug, Clone)]
pub struct ResealPosition {
    session_seq: Option<i64>,
    response: Option<(String, String)>,
    draft: Option<String>,
    subscription_seq: Option<i64>,
}

impl ResealPosition {
    /// Whether the tables walked in order have been walked to their end.
    pub fn is_done(&self) -> bool {
        self.session_seq.is_none() && self.response.is_none() && self.draft.is_none() && self.subscription_seq.is_none()
    }
}

impl Default for ResealPosition {
    fn default() -> Self {
        Self {
            session_seq: Some(0),
            response: Some((String::new(), String::new())),
            draft: Some(String::new()),
            subscription_seq: Some(0),
        }
    }
}
