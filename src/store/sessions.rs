//! Entity Onboarding Sessions.

use chrono::{DateTime, Utc};

use super::{
    Conn, Page, SAME_GROUP, Store, StoreError, UnitOfWork, Window,
    custody::{token_context, token_hash},
    on, position, read,
    time::Ts,
};
use crate::{
    custody::Keyring,
    domain::{
        RedirectUrl,
        branding::{Branding, Origin},
        draft::Draft,
        event::EventCategory,
        ids::{EntityId, FormToken, GroupId, IdempotencyKey, ProgramId, SessionId},
        locale::Locale,
        session::{NewSession, Session, SessionStatus},
    },
};

#[derive(Clone, sqlx::FromRow)]
struct SessionRow {
    seq: i64,
    id: SessionId,
    program_id: ProgramId,
    entity_id: Option<EntityId>,
    redirect_url: String,
    /// Sealed while the session is active; cleared once it ends.
    token_sealed: Option<String>,
    status: SessionStatus,
    idempotency_key: Option<IdempotencyKey>,
    created_at: Ts,
    expires_at: Ts,
    completed_at: Option<Ts>,
    locale: Option<Locale>,
}

impl SessionRow {
    fn into_session(self, custody: &Keyring) -> Result<Session, StoreError> {
        let row = self;
        let token = row
            .token_sealed
            .as_deref()
            .map(|sealed| {
                let opened = custody
                    .open(sealed, &token_context(&row.id))
                    .map_err(|e| StoreError::Corrupt(format!("form token of {}: {e}", row.id)))?;
                // Parsed straight from the opened bytes: one copy of the
                // secret fewer per session (a list opens a hundred).
                std::str::from_utf8(&opened)
                    .ok()
                    .and_then(FormToken::parse)
                    .ok_or_else(|| StoreError::Corrupt(format!("form token of {}", row.id)))
            })
            .transpose()?;
        Ok(Session {
            redirect_url: RedirectUrl::from_stored(&row.redirect_url)
                .map_err(|e| StoreError::Corrupt(format!("redirect_url of {}: {e}", row.id)))?,
            id: row.id,
            program_id: row.program_id,
            entity_id: row.entity_id,
            token,
            status: row.status,
            idempotency_key: row.idempotency_key,
            created_at: row.created_at.into(),
            expires_at: row.expires_at.into(),
            completed_at: row.completed_at.map(Into::into),
            locale: row.locale,
        })
    }
}

fn session(row: Option<SessionRow>, custody: &Keyring) -> Result<Option<Session>, StoreError> {
    row.map(|row| row.into_session(custody)).transpose()
}

const COLUMNS: &str = "seq, id, program_id, entity_id, redirect_url, token_sealed, status, \
    idempotency_key, created_at, expires_at, completed_at, locale";

/// The hosted form's one query: sessions by their links' hashes, with their
/// programs' names and branding and the customers' drafts; the `IN` list
/// follows. Made once.
static FORM_SESSIONS_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {}, s.group_id, s.token_hash AS matched_hash, s.opened_at IS NOT NULL AS opened,
            p.name AS program_name, {}, d.draft_sealed
         FROM entity_onboarding_sessions s JOIN programs p ON p.id = s.program_id
         LEFT JOIN session_drafts d ON d.session_id = s.id
         WHERE s.token_hash IN ",
        COLUMNS
            .split(',')
            .map(|column| format!("s.{}", column.trim()))
            .collect::<Vec<_>>()
            .join(", "),
        super::programs::branding_columns("p"),
    )
});

/// Which sessions a listing shows.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only sessions whose status as seen at `now` is one of these (all when `None`).
    pub statuses: Option<Vec<SessionStatus>>,
    pub idempotency_key: Option<IdempotencyKey>,
}

/// A session found by its form token, with what the hosted form shows.
#[derive(Debug, Clone)]
pub struct FormSession {
    pub group_id: GroupId,
    pub session: Session,
    /// The name customers see: the program's display name, else its name.
    pub program_name: String,
    /// How the program's pages look and where they may be used.
    pub branding: Branding,
    /// The customer's answers so far (none saved: empty), read with the
    /// session in one query.
    pub draft: Draft,
    /// Whether the customer has opened the form before.
    pub opened: bool,
}

#[derive(Clone, sqlx::FromRow)]
pub(super) struct FormSessionRow {
    #[sqlx(flatten)]
    session: SessionRow,
    group_id: GroupId,
    /// The hash of the link it was found by.
    matched_hash: String,
    program_name: String,
    opened: bool,
    #[sqlx(flatten)]
    branding: super::programs::BrandingColumns,
    draft_sealed: Option<String>,
}

async fn find_session(
    conn: Conn<'_>,
    custody: &Keyring,
    group: &GroupId,
    id: &SessionId,
) -> Result<Option<Session>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM entity_onboarding_sessions WHERE id = $2 AND {SAME_GROUP}");
    let row: Option<SessionRow> = on!(conn, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(group)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    session(row, custody)
}

/// A session's row with the group it belongs to: what a batch of lookups
/// by ID reads. Each lookup checks the group, then decodes its own row (an
/// undecodable row fails only the lookups of its session).
#[derive(Clone, sqlx::FromRow)]
pub(super) struct OwnedSessionRow {
    #[sqlx(flatten)]
    session: SessionRow,
    group_id: GroupId,
}

/// Sessions by ID, whatever their group; the `IN` list follows.
static SESSIONS_WITH_IDS_SQL: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("SELECT {COLUMNS}, group_id FROM entity_onboarding_sessions WHERE id IN "));

impl Store {
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn find_session(&self, group: &GroupId, id: &SessionId) -> Result<Option<Session>, StoreError> {
        let found = self
            .sessions_by_id
            .get(
                id.clone(),
                |ids| self.sessions_with_ids(ids),
                |id| async move {
                    let mut rows = self.sessions_with_ids(vec![id]).await?;
                    Ok(rows.pop().map(|(_, row)| row))
                },
            )
            .await?;
        found
            .filter(|row| &row.group_id == group)
            .map(|row| row.session.into_session(&self.custody))
            .transpose()
    }

    /// The rows of the sessions with these IDs (at most [`super::BATCH`]),
    /// whatever their group, in one statement: a batch of
    /// [`Store::find_session`].
    async fn sessions_with_ids(&self, ids: Vec<SessionId>) -> Result<Vec<(SessionId, OwnedSessionRow)>, StoreError> {
        let sql = super::batch_sql(&SESSIONS_WITH_IDS_SQL, ids.len());
        let rows: Vec<OwnedSessionRow> = read!(self, conn => on!(conn, c => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in super::padded(&ids) {
                query = query.bind(id);
            }
            query.fetch_all(&mut *c).await?
        }));
        Ok(rows.into_iter().map(|row| (row.session.id.clone(), row)).collect())
    }

    /// Newest first, filtered by status as seen at `now` (a session past its
    /// `expires_at` counts as expired even before the sweep persists it).
    #[tracing::instrument(skip_all)]
    pub async fn list_sessions(
        &self,
        group: &GroupId,
        filter: &SessionFilter,
        window: Window,
        now: DateTime<Utc>,
    ) -> Result<Page<Session>, StoreError> {
        let rows: Vec<SessionRow> = read!(self, conn => on!(conn, c => {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM entity_onboarding_sessions WHERE group_id = "));
            query.push_bind(group);
            if let Some(statuses) = &filter.statuses {
                let active = statuses.contains(&SessionStatus::Active);
                let expired = statuses.contains(&SessionStatus::Expired);
                match (active, expired) {
                    (true, true) => {}
                    // Scanned in listing order: `IS TRUE` keeps PostgreSQL from
                    // choosing the sweep's expiry index plus a sort (status and
                    // expiry are correlated, so it misjudges how many rows match).
                    (true, false) => {
                        query
                            .push(" AND status = 'active' AND (expires_at > ")
                            .push_bind(Ts(now))
                            .push(") IS TRUE");
                    }
                    // Everything but the sessions still active: scanned in
                    // listing order, skipping the few that are.
                    (false, true) => {
                        query
                            .push(" AND NOT (status = 'active' AND expires_at > ")
                            .push_bind(Ts(now))
                            .push(")");
                    }
                    (false, false) => {
                        query.push(" AND 1 = 0");
                    }
                }
            }
            if let Some(key) = &filter.idempotency_key {
                query.push(" AND idempotency_key = ").push_bind(key);
            }
            window.finish(&mut query, "entity_onboarding_sessions");
            query.build_query_as().fetch_all(&mut *c).await?
        }));
        Page::from_rows(
            rows,
            window,
            |row| position(row.created_at, row.seq),
            |row| row.into_session(&self.custody),
        )
    }

    /// Persists the expiry of every active session whose `expires_at` is not
    /// after `now`, with an `entity_onboarding_session.expired` event each.
    /// Safe to run concurrently from several instances.
    #[tracing::instrument(skip_all)]
    pub async fn expire_sessions_before(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut work = self.begin().await?;
        let sql = "UPDATE entity_onboarding_sessions SET status = 'expired', token_sealed = NULL
                   WHERE status = 'active' AND expires_at <= $1 RETURNING group_id, id";
        let expired: Vec<(GroupId, SessionId)> =
            on!(work.conn()?, c => sqlx::query_as(sql).bind(Ts(now)).fetch_all(&mut *c).await?);
        for (group, id) in &expired {
            work.record_event(group, EventCategory::SessionExpired, id.as_str(), now)
                .await?;
        }
        // The answers of ended sessions go with them, whichever way they ended.
        work.delete_ended_drafts(now).await?;
        work.commit().await?;
        Ok(u64::try_from(expired.len()).unwrap_or(u64::MAX))
    }

    /// Marks the session as opened by the customer, the first time only,
    /// with an `entity_onboarding_session.opened` event.
    pub async fn mark_session_opened(
        &self,
        group: &GroupId,
        id: &SessionId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut work = self.begin().await?;
        let sql = "UPDATE entity_onboarding_sessions SET opened_at = $1 WHERE id = $2 AND opened_at IS NULL";
        let first =
            on!(work.conn()?, c => sqlx::query(sql).bind(Ts(now)).bind(id).execute(&mut *c).await?.rows_affected());
        if first == 1 {
            work.record_event(group, EventCategory::SessionOpened, id.as_str(), now)
                .await?;
        }
        work.commit().await
    }

    /// The session behind a hosted form link, whatever its status. Lookups
    /// that arrive together share one statement (see [`super::coalesce`]).
    #[tracing::instrument(skip_all)]
    pub async fn find_form_session(&self, token: &FormToken) -> Result<Option<FormSession>, StoreError> {
        let found = self
            .form_sessions
            .get(
                token_hash(token),
                |hashes| self.form_sessions_with_hashes(hashes),
                |hash| async move {
                    let mut rows = self.form_sessions_with_hashes(vec![hash]).await?;
                    Ok(rows.pop().map(|(_, row)| row))
                },
            )
            .await?;
        found.map(|row| self.form_session(row)).transpose()
    }

    /// The rows behind these link hashes (at most [`super::BATCH`]), in one
    /// statement: a batch of [`Store::find_form_session`].
    async fn form_sessions_with_hashes(
        &self,
        hashes: Vec<String>,
    ) -> Result<Vec<(String, FormSessionRow)>, StoreError> {
        let sql = super::batch_sql(&FORM_SESSIONS_SQL, hashes.len());
        let rows: Vec<FormSessionRow> = read!(self, conn => on!(conn, c => {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for hash in super::padded(&hashes) {
                query = query.bind(hash);
            }
            query.fetch_all(&mut *c).await?
        }));
        Ok(rows.into_iter().map(|row| (row.matched_hash.clone(), row)).collect())
    }

    fn form_session(&self, row: FormSessionRow) -> Result<FormSession, StoreError> {
        let session = row.session.into_session(&self.custody)?;
        let draft = match &row.draft_sealed {
            Some(sealed) => {
                let json = self
                    .custody
                    .open_text(sealed, &super::drafts::draft_context(&session.id))
                    .map_err(|e| StoreError::Corrupt(format!("draft of {}: {e}", session.id)))?;
                Draft::from_json(&json)?
            }
            None => Draft::default(),
        };
        Ok(FormSession {
            group_id: row.group_id,
            session,
            branding: row.branding.branding(),
            program_name: row.branding.shown_name(row.program_name),
            opened: row.opened,
            draft,
        })
    }
}

impl UnitOfWork {
    /// Inserts the session if its program belongs to the group and allows
    /// its `redirect_url`, in one statement; `None` when it does not.
    #[tracing::instrument(skip_all, fields(session_id = %session.id))]
    pub async fn insert_session(
        &mut self,
        group: &GroupId,
        session: &NewSession,
        idempotency_key: Option<&IdempotencyKey>,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        let sealed = self
            .custody
            .seal_text(session.token.expose(), &token_context(&session.id))?;
        let sql = format!(
            "INSERT INTO entity_onboarding_sessions
                (id, group_id, program_id, entity_id, redirect_url, token_hash, token_sealed, status,
                 idempotency_key, created_at, expires_at, locale)
             SELECT $1, $2, $3, $4, $5, $6, $10, 'active', $7, $8, $9, $11
             WHERE EXISTS (SELECT 1 FROM programs WHERE id = $3 AND (group_id = $2) IS TRUE
                AND (allowed_redirect_origins IS NULL
                     OR ' ' || allowed_redirect_origins || ' ' LIKE '% ' || $12 || ' %'))
             RETURNING {COLUMNS}"
        );
        // Origins are lower case and hold no `%` or `_` (hosts are checked
        // DNS names or IP addresses), so LIKE compares them exactly.
        let origin = Origin::of(&session.redirect_url).map_or_else(String::new, |origin| origin.as_str().to_owned());
        let row: Option<SessionRow> = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&session.id)
            .bind(group)
            .bind(&session.program_id)
            .bind(&session.entity_id)
            .bind(session.redirect_url.as_str())
            .bind(token_hash(&session.token))
            .bind(idempotency_key)
            .bind(Ts(now))
            .bind(Ts(session.expires_at))
            .bind(&sealed)
            .bind(session.locale)
            .bind(&origin)
            .fetch_optional(&mut *c)
            .await?);
        self::session(row, &self.custody)
    }

    pub async fn find_session(&mut self, group: &GroupId, id: &SessionId) -> Result<Option<Session>, StoreError> {
        let custody = self.custody.clone();
        find_session(self.conn()?, &custody, group, id).await
    }

    /// Ends an active session now; an expired one is left unchanged. With
    /// the session: whether this call ended it. `None` when there is no such session.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn expire_session(
        &mut self,
        group: &GroupId,
        id: &SessionId,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, bool)>, StoreError> {
        let sql = format!(
            "UPDATE entity_onboarding_sessions SET status = 'expired', expires_at = $1, token_sealed = NULL
             WHERE id = $3 AND (group_id = $2 AND status = 'active' AND expires_at > $1) IS TRUE
             RETURNING {COLUMNS}"
        );
        let row: Option<SessionRow> = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(Ts(now))
            .bind(group)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        match session(row, &self.custody)? {
            Some(expired) => {
                self.delete_draft(id).await?;
                Ok(Some((expired, true)))
            }
            // Already expired, perhaps overdue and not swept yet (or not
            // there): returned as it is; readers see it expired anyway.
            None => Ok(self.find_session(group, id).await?.map(|s| (s, false))),
        }
    }

    /// Moves an active, unexpired session to `expired` as completed at `now`
    /// (linking `entity` to it, when given) and returns it; `None` when it is
    /// not (or no longer) active. The conditional UPDATE makes the database,
    /// not Rust, decide who wins.
    #[tracing::instrument(skip_all, fields(session_id = %id))]
    pub async fn claim_session(
        &mut self,
        group: &GroupId,
        id: &SessionId,
        entity: Option<&EntityId>,
        now: DateTime<Utc>,
    ) -> Result<Option<Session>, StoreError> {
        let sql = format!(
            "UPDATE entity_onboarding_sessions
             SET status = 'expired', completed_at = $1, entity_id = COALESCE($4, entity_id), token_sealed = NULL
             WHERE id = $3 AND (group_id = $2 AND status = 'active' AND expires_at > $1) IS TRUE
             RETURNING {COLUMNS}"
        );
        let row: Option<SessionRow> = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(Ts(now))
            .bind(group)
            .bind(id)
            .bind(entity)
            .fetch_optional(&mut *c)
            .await?);
        let claimed = session(row, &self.custody)?;
        if claimed.is_some() {
            // The answers are in the Entity now (or were never needed).
            self.delete_draft(id).await?;
        }
        Ok(claimed)
    }

    /// Records the Entity a completed session produced or updated.
    pub async fn link_session_entity(&mut self, id: &SessionId, entity: &EntityId) -> Result<Session, StoreError> {
        let sql = format!("UPDATE entity_onboarding_sessions SET entity_id = $1 WHERE id = $2 RETURNING {COLUMNS}");
        let row: Option<SessionRow> = on!(self.conn()?, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(entity)
            .bind(id)
            .fetch_optional(&mut *c)
            .await?);
        session(row, &self.custody)?.ok_or(StoreError::NotFound)
    }
}
