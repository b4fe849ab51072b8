//! Programs.

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::domain::{program::Bank, time::to_micros};

use super::{Idempotency, Outcome, Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgramRow {
    pub seq: i64,
    pub id: String,
    pub name: String,
    pub bank: String,
    pub billing_account_id: Option<String>,
    pub default_digital_card_profile_id: Option<String>,
    pub interest_rate: String,
    pub lending_maximum_extendable_credit: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewProgram {
    pub id: String,
    pub name: String,
    pub bank: Bank,
    pub lending_maximum_extendable_credit: Option<i64>,
}

const COLUMNS: &str = "seq, id, name, bank, billing_account_id, default_digital_card_profile_id, \
    interest_rate, lending_maximum_extendable_credit, created_at, updated_at";

pub(super) async fn insert_program_row(
    conn: &mut AnyConnection,
    group_id: &str,
    program: &NewProgram,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO programs (id, group_id, name, bank, interest_rate,
            lending_maximum_extendable_credit, idempotency_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, '0.01', $5, $6, $7, $8)",
    )
    .bind(&program.id)
    .bind(group_id)
    .bind(&program.name)
    .bind(program.bank.as_str())
    .bind(program.lending_maximum_extendable_credit)
    .bind(idempotency_key)
    .bind(to_micros(now))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    pub async fn insert_program(
        &self,
        group_id: &str,
        program: &NewProgram,
        idempotency: Option<Idempotency<'_>>,
        now: DateTime<Utc>,
        render: impl FnOnce(&ProgramRow) -> Result<String, serde_json::Error>,
    ) -> Result<Outcome<ProgramRow>, StoreError> {
        self.write_idempotently(group_id, idempotency, now, render, async |conn: &mut AnyConnection| {
            insert_program_row(&mut *conn, group_id, program, idempotency.map(|i| i.key), now).await?;
            let row = find_program_row(&mut *conn, group_id, &program.id)
                .await?
                .ok_or(StoreError::NotFound)?;
            Ok(row)
        })
        .await
    }

    pub async fn find_program(&self, group_id: &str, id: &str) -> Result<Option<ProgramRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        find_program_row(&mut conn, group_id, id).await
    }

    /// Newest first; `before_seq` continues after the last row of a previous page.
    pub async fn list_programs(
        &self,
        group_id: &str,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ProgramRow>, StoreError> {
        let mut query = super::sql::Sql::new(format!("SELECT {COLUMNS} FROM programs WHERE group_id = "));
        query.push_bind(group_id.to_owned());
        if let Some(seq) = before_seq {
            query.push(" AND seq < ").push_bind(seq);
        }
        query.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
        Ok(query.build_query_as::<ProgramRow>()?.fetch_all(&self.pool).await?)
    }
}

async fn find_program_row(
    conn: &mut AnyConnection,
    group_id: &str,
    id: &str,
) -> Result<Option<ProgramRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM programs WHERE group_id = $1 AND id = $2");
    Ok(sqlx::query_as::<_, ProgramRow>(sqlx::AssertSqlSafe(sql))
        .bind(group_id)
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

impl super::idempotency::Resource for ProgramRow {
    fn resource_id(&self) -> &str {
        &self.id
    }
}
