//! Programs.

use chrono::{DateTime, Utc};

use super::{Conn, Page, Store, StoreError, UnitOfWork, Window, on, position, read, time::Ts};
use crate::domain::{
    ids::{GroupId, IdempotencyKey, ProgramId},
    program::{Bank, NewProgram, Program},
};

#[derive(sqlx::FromRow)]
struct ProgramRow {
    seq: i64,
    id: ProgramId,
    name: String,
    bank: Bank,
    billing_account_id: Option<String>,
    default_digital_card_profile_id: Option<String>,
    interest_rate: String,
    lending_maximum_extendable_credit: Option<i64>,
    idempotency_key: Option<IdempotencyKey>,
    created_at: Ts,
    updated_at: Ts,
}

impl From<ProgramRow> for Program {
    fn from(row: ProgramRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            bank: row.bank,
            billing_account_id: row.billing_account_id,
            default_digital_card_profile_id: row.default_digital_card_profile_id,
            interest_rate: row.interest_rate,
            lending_maximum_extendable_credit: row.lending_maximum_extendable_credit,
            idempotency_key: row.idempotency_key,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

const COLUMNS: &str = "seq, id, name, bank, billing_account_id, default_digital_card_profile_id, \
    interest_rate, lending_maximum_extendable_credit, idempotency_key, created_at, updated_at";

pub(super) async fn insert_program(
    conn: Conn<'_>,
    group: &GroupId,
    program: &NewProgram,
    idempotency_key: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
) -> Result<Program, StoreError> {
    let sql = format!(
        "INSERT INTO programs (id, group_id, name, bank, interest_rate,
            lending_maximum_extendable_credit, idempotency_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, '0.01', $5, $6, $7, $7)
         RETURNING {COLUMNS}"
    );
    let row: ProgramRow = on!(conn, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(&program.id)
        .bind(group)
        .bind(&program.name)
        .bind(program.bank)
        .bind(program.lending_maximum_extendable_credit)
        .bind(idempotency_key)
        .bind(Ts(now))
        .fetch_one(&mut *c)
        .await?);
    Ok(row.into())
}

async fn find_program(conn: Conn<'_>, group: &GroupId, id: &ProgramId) -> Result<Option<Program>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM programs WHERE group_id = $1 AND id = $2");
    let row: Option<ProgramRow> = on!(conn, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(group)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    Ok(row.map(Program::from))
}

impl Store {
    #[tracing::instrument(skip_all, fields(program_id = %id))]
    pub async fn find_program(&self, group: &GroupId, id: &ProgramId) -> Result<Option<Program>, StoreError> {
        read!(self, c => find_program(c, group, id).await)
    }

    /// Every program of every group with its group, oldest first: the
    /// operator's view, not an API key's.
    pub async fn list_all_programs(&self) -> Result<Vec<(GroupId, Program)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            group_id: GroupId,
            #[sqlx(flatten)]
            program: ProgramRow,
        }
        let sql = format!("SELECT group_id, {COLUMNS} FROM programs ORDER BY seq");
        let rows: Vec<Row> = read!(self, conn => on!(conn, c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?));
        Ok(rows.into_iter().map(|row| (row.group_id, row.program.into())).collect())
    }

    /// Newest first.
    #[tracing::instrument(skip_all)]
    pub async fn list_programs(&self, group: &GroupId, window: Window) -> Result<Page<Program>, StoreError> {
        let rows: Vec<ProgramRow> = read!(self, conn => on!(conn, c => {
            let mut query = sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM programs WHERE group_id = "));
            query.push_bind(group);
            window.finish(&mut query, "programs");
            query.build_query_as().fetch_all(&mut *c).await?
        }));
        Page::from_rows(
            rows,
            window,
            |row| position(row.created_at, row.seq),
            |row| Ok(row.into()),
        )
    }
}

impl UnitOfWork {
    #[tracing::instrument(skip_all, fields(program_id = %program.id))]
    pub async fn insert_program(
        &mut self,
        group: &GroupId,
        program: &NewProgram,
        idempotency_key: Option<&IdempotencyKey>,
        now: DateTime<Utc>,
    ) -> Result<Program, StoreError> {
        insert_program(self.conn(), group, program, idempotency_key, now).await
    }

    pub async fn find_program(&mut self, group: &GroupId, id: &ProgramId) -> Result<Option<Program>, StoreError> {
        find_program(self.conn(), group, id).await
    }
}
