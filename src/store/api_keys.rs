//! Groups (tenants) and their API keys. Only a SHA-256 of each key is stored.

use crate::domain::{ids, program::Bank, time::to_micros};
use chrono::{DateTime, Utc};

use super::{NewProgram, Store, StoreError};

/// Who an API key speaks for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyOwner {
    pub api_key_id: String,
    pub group_id: String,
    pub revoked_at: Option<i64>,
}

/// What first start created, to be shown once.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub group_id: String,
    pub program_id: String,
    pub api_key_id: String,
}

impl Store {
    pub async fn find_api_key_owner(&self, key_hash: &str) -> Result<Option<ApiKeyOwner>, StoreError> {
        Ok(sqlx::query_as::<_, ApiKeyOwner>(
            "SELECT id AS api_key_id, group_id, revoked_at FROM api_keys WHERE key_hash = $1",
        )
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The oldest group, created if there is none yet.
    pub async fn default_group(&self, now: DateTime<Utc>) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let existing: Option<String> = sqlx::query_scalar("SELECT id FROM groups ORDER BY created_at, id LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let id = match existing {
            Some(id) => id,
            None => {
                let id = ids::new_id(ids::GROUP);
                insert_group(&mut tx, &id, now).await?;
                id
            }
        };
        tx.commit().await?;
        Ok(id)
    }

    pub async fn create_group(&self, now: DateTime<Utc>) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = ids::new_id(ids::GROUP);
        insert_group(&mut tx, &id, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn group_exists(&self, group_id: &str) -> Result<bool, StoreError> {
        let found: Option<String> = sqlx::query_scalar("SELECT id FROM groups WHERE id = $1")
            .bind(group_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// Stores a new API key's hash and returns the key's ID.
    pub async fn insert_api_key(
        &self,
        group_id: &str,
        name: &str,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = ids::new_id(ids::API_KEY);
        sqlx::query("INSERT INTO api_keys (id, group_id, name, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(group_id)
            .bind(name)
            .bind(key_hash)
            .bind(to_micros(now))
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    pub async fn revoke_api_key(&self, api_key_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
            .bind(to_micros(now))
            .bind(api_key_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// On an empty database, creates a group with a default program and an API
    /// key (whose hash is given) in one transaction. Returns `None` when the
    /// database already holds a group, so this happens once per database.
    pub async fn bootstrap_if_empty(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Bootstrap>, StoreError> {
        let mut tx = self.begin_write().await?;
        let groups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM groups")
            .fetch_one(&mut *tx)
            .await?;
        if groups > 0 {
            return Ok(None);
        }
        let group_id = ids::new_id(ids::GROUP);
        insert_group(&mut tx, &group_id, now).await?;
        let program = NewProgram {
            id: ids::new_id(ids::PROGRAM),
            name: "Default program".to_owned(),
            bank: Bank::CoreBank,
            lending_maximum_extendable_credit: None,
        };
        super::programs::insert_program_row(&mut tx, &group_id, &program, None, now).await?;
        let api_key_id = ids::new_id(ids::API_KEY);
        sqlx::query("INSERT INTO api_keys (id, group_id, name, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&api_key_id)
            .bind(&group_id)
            .bind("Sandbox key (created on first start)")
            .bind(key_hash)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(Bootstrap {
            group_id,
            program_id: program.id,
            api_key_id,
        }))
    }
}

async fn insert_group(conn: &mut sqlx::AnyConnection, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO groups (id, created_at) VALUES ($1, $2)")
        .bind(id)
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(())
}
