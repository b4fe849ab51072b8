//! Groups (tenants) and their API keys. Only a SHA-256 of each key is stored.

use chrono::{DateTime, Utc};

use super::{Conn, Store, StoreError, UnitOfWork, on, read, time::Ts};
use crate::domain::{
    api_key::{Environment, Permissions},
    ids::{ApiKeyId, GroupId},
    program::NewProgram,
};

/// Who an API key speaks for, and what it may do.
#[derive(Debug, Clone)]
pub struct ApiKeyOwner {
    pub api_key_id: ApiKeyId,
    pub group_id: GroupId,
    pub revoked: bool,
    pub environment: Environment,
    pub permissions: Permissions,
}

#[derive(sqlx::FromRow)]
struct ApiKeyOwnerRow {
    api_key_id: ApiKeyId,
    group_id: GroupId,
    revoked: bool,
    environment: Environment,
    reveal_pii: bool,
}

impl From<ApiKeyOwnerRow> for ApiKeyOwner {
    fn from(row: ApiKeyOwnerRow) -> Self {
        Self {
            api_key_id: row.api_key_id,
            group_id: row.group_id,
            revoked: row.revoked,
            environment: row.environment,
            permissions: Permissions {
                reveal_pii: row.reveal_pii,
            },
        }
    }
}

/// A key about to be stored: its hash (the key itself is never stored),
/// name, environment and permissions.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub key_hash: &'a str,
    pub environment: Environment,
    pub permissions: Permissions,
}

impl<'a> NewApiKey<'a> {
    /// A sandbox key without extra permissions.
    pub fn sandbox(name: &'a str, key_hash: &'a str) -> Self {
        Self {
            name,
            key_hash,
            environment: Environment::Sandbox,
            permissions: Permissions::default(),
        }
    }
}

/// An API key as the operator sees it; the key itself is never stored.
#[derive(Debug, Clone)]
pub struct ApiKeySummary {
    pub id: ApiKeyId,
    pub group_id: GroupId,
    pub name: String,
    pub environment: Environment,
    pub permissions: Permissions,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ApiKeySummaryRow {
    id: ApiKeyId,
    group_id: GroupId,
    name: String,
    environment: Environment,
    reveal_pii: bool,
    created_at: Ts,
    revoked_at: Option<Ts>,
}

impl From<ApiKeySummaryRow> for ApiKeySummary {
    fn from(row: ApiKeySummaryRow) -> Self {
        Self {
            id: row.id,
            group_id: row.group_id,
            name: row.name,
            environment: row.environment,
            permissions: Permissions {
                reveal_pii: row.reveal_pii,
            },
            created_at: row.created_at.into(),
            revoked_at: row.revoked_at.map(Into::into),
        }
    }
}

/// How long a verified API key is trusted without asking the database.
pub const KEY_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Recently verified (unrevoked) keys, by hash.
pub(super) struct KeyCache {
    keys: quick_cache::sync::Cache<String, (ApiKeyOwner, std::time::Instant)>,
    /// Bumped by every revocation: a lookup that started before one may
    /// have read the key as valid, so it must not cache what it read.
    revocations: std::sync::atomic::AtomicU64,
}

/// Hashes of keys are credentials too: only the count is shown.
impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyCache({} keys)", self.keys.len())
    }
}

impl KeyCache {
    pub(super) fn new() -> Self {
        Self {
            keys: quick_cache::sync::Cache::new(10_000),
            revocations: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn get(&self, key_hash: &str) -> Option<ApiKeyOwner> {
        let (owner, verified) = self.keys.get(key_hash)?;
        (verified.elapsed() < KEY_CACHE_TTL).then_some(owner)
    }

    /// Where revocations stand, before a lookup reads the database.
    fn revocations(&self) -> u64 {
        self.revocations.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Caches what a lookup read, unless a revocation happened meanwhile.
    fn remember(&self, key_hash: &str, owner: &ApiKeyOwner, revocations_before: u64) {
        if self.revocations() == revocations_before {
            self.keys
                .insert(key_hash.to_owned(), (owner.clone(), std::time::Instant::now()));
        }
    }

    /// Forgets every entry of the key with this ID (its hash is not at hand).
    fn forget(&self, id: &ApiKeyId) {
        self.revocations.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let stale: Vec<String> = self
            .keys
            .iter()
            .filter(|(_, (owner, _))| owner.api_key_id == *id)
            .map(|(hash, _)| hash)
            .collect();
        for hash in stale {
            self.keys.remove(&hash);
        }
    }
}

/// What first start created, to be shown once.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub group_id: GroupId,
    pub program_id: crate::domain::ids::ProgramId,
    pub api_key_id: ApiKeyId,
}

impl UnitOfWork {
    /// Serialises the writers that decide whether a group exists yet (first
    /// start, the CLI's default group). SQLite's write transactions are
    /// already exclusive; PostgreSQL takes a transaction-scoped advisory lock.
    async fn lock_groups(&mut self) -> Result<(), StoreError> {
        if let Conn::Postgres(c) = self.conn()? {
            sqlx::query("SELECT pg_advisory_xact_lock(4242001)")
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    }

    async fn oldest_group(&mut self) -> Result<Option<GroupId>, StoreError> {
        let sql = "SELECT id FROM groups ORDER BY created_at, id LIMIT 1";
        Ok(on!(self.conn()?, c => sqlx::query_scalar(sql).fetch_optional(&mut *c).await?))
    }

    async fn insert_group(&mut self, now: DateTime<Utc>) -> Result<GroupId, StoreError> {
        let id = GroupId::generate();
        let sql = "INSERT INTO groups (id, created_at) VALUES ($1, $2)";
        on!(self.conn()?, c => sqlx::query(sql).bind(&id).bind(Ts(now)).execute(&mut *c).await?.rows_affected());
        Ok(id)
    }

    async fn insert_api_key(
        &mut self,
        group: &GroupId,
        key: &NewApiKey<'_>,
        now: DateTime<Utc>,
    ) -> Result<ApiKeyId, StoreError> {
        let id = ApiKeyId::generate();
        let sql = "INSERT INTO api_keys (id, group_id, name, key_hash, environment, reveal_pii, created_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)";
        on!(self.conn()?, c => sqlx::query(sql)
            .bind(&id)
            .bind(group)
            .bind(key.name)
            .bind(key.key_hash)
            .bind(key.environment)
            .bind(key.permissions.reveal_pii)
            .bind(Ts(now))
            .execute(&mut *c)
            .await?
            .rows_affected());
        Ok(id)
    }
}

impl Store {
    /// Who the key with this hash speaks for. A key found valid is
    /// remembered for [`KEY_CACHE_TTL`], sparing a query per request; revoking
    /// a key through this store forgets it at once, another process's
    /// revocation (the CLI's) takes effect within that time.
    pub async fn find_api_key_owner(&self, key_hash: &str) -> Result<Option<ApiKeyOwner>, StoreError> {
        if let Some(owner) = self.keys.get(key_hash) {
            return Ok(Some(owner));
        }
        let revocations = self.keys.revocations();
        let sql = "SELECT id AS api_key_id, group_id, revoked_at IS NOT NULL AS revoked, environment, reveal_pii
                   FROM api_keys WHERE key_hash = $1";
        let owner: Option<ApiKeyOwnerRow> =
            read!(self, conn => on!(conn, c => sqlx::query_as(sql).bind(key_hash).fetch_optional(&mut *c).await?));
        let owner = owner.map(ApiKeyOwner::from);
        if let Some(owner) = owner.as_ref().filter(|owner| !owner.revoked) {
            self.keys.remember(key_hash, owner, revocations);
        }
        Ok(owner)
    }

    /// The oldest group, created if there is none yet.
    pub async fn default_group(&self, now: DateTime<Utc>) -> Result<GroupId, StoreError> {
        let mut work = self.begin().await?;
        work.lock_groups().await?;
        let id = match work.oldest_group().await? {
            Some(id) => id,
            None => work.insert_group(now).await?,
        };
        work.commit().await?;
        Ok(id)
    }

    pub async fn create_group(&self, now: DateTime<Utc>) -> Result<GroupId, StoreError> {
        let mut work = self.begin().await?;
        let id = work.insert_group(now).await?;
        work.commit().await?;
        Ok(id)
    }

    pub async fn group_exists(&self, group: &GroupId) -> Result<bool, StoreError> {
        let sql = "SELECT id FROM groups WHERE id = $1";
        let found: Option<GroupId> =
            read!(self, conn => on!(conn, c => sqlx::query_scalar(sql).bind(group).fetch_optional(&mut *c).await?));
        Ok(found.is_some())
    }

    /// Stores a new API key's hash and returns the key's ID.
    pub async fn insert_api_key(
        &self,
        group: &GroupId,
        key: &NewApiKey<'_>,
        now: DateTime<Utc>,
    ) -> Result<ApiKeyId, StoreError> {
        let mut work = self.begin().await?;
        let id = work.insert_api_key(group, key, now).await?;
        work.commit().await?;
        Ok(id)
    }

    /// Every API key of every group, oldest first.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeySummary>, StoreError> {
        let sql = "SELECT id, group_id, name, environment, reveal_pii, created_at, revoked_at
                   FROM api_keys ORDER BY created_at, id";
        let rows: Vec<ApiKeySummaryRow> =
            read!(self, conn => on!(conn, c => sqlx::query_as(sql).fetch_all(&mut *c).await?));
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn revoke_api_key(&self, id: &ApiKeyId, now: DateTime<Utc>) -> Result<(), StoreError> {
        let sql = "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2";
        let mut work = self.begin().await?;
        let done = on!(work.conn()?, c => sqlx::query(sql)
            .bind(Ts(now))
            .bind(id)
            .execute(&mut *c)
            .await?
            .rows_affected());
        work.commit().await?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.keys.forget(id);
        Ok(())
    }

    /// On an empty database, creates a group with a default program and an API
    /// key (whose hash is given) in one transaction. Returns `None` when the
    /// database already holds a group, so this happens once per database, even
    /// when several instances start at once.
    #[tracing::instrument(skip_all)]
    pub async fn bootstrap_if_empty(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Bootstrap>, StoreError> {
        let mut work = self.begin().await?;
        work.lock_groups().await?;
        if work.oldest_group().await?.is_some() {
            return Ok(None);
        }
        let group_id = work.insert_group(now).await?;
        let program = NewProgram::named("Default program".to_owned());
        let program = super::programs::insert_program(work.conn()?, &group_id, &program, None, now).await?;
        let key = NewApiKey::sandbox("Sandbox key (created on first start)", key_hash);
        let api_key_id = work.insert_api_key(&group_id, &key, now).await?;
        work.commit().await?;
        Ok(Some(Bootstrap {
            group_id,
            program_id: program.id,
            api_key_id,
        }))
    }
}
