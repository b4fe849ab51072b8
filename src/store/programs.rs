//! Programs.

use chrono::{DateTime, Utc};

use super::{Conn, Page, SAME_GROUP, Store, StoreError, UnitOfWork, Window, on, position, read, time::Ts};
use crate::domain::{
    branding::{AccentColor, Branding, BrandingChange, LinkUrl, LogoRef, LogoType, join_origins, split_origins},
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
    #[sqlx(flatten)]
    branding: BrandingColumns,
}

/// A program's branding columns, as read with the program or with the
/// session whose form shows it.
#[derive(Clone, sqlx::FromRow)]
pub(super) struct BrandingColumns {
    display_name: Option<String>,
    accent_color: Option<String>,
    logo: Option<String>,
    support_url: Option<String>,
    privacy_url: Option<String>,
    allowed_redirect_origins: Option<String>,
    allowed_frame_ancestors: Option<String>,
    redirect_out_of_frame: bool,
}

/// The branding columns of `programs` under the alias `table`, for a join.
pub(super) fn branding_columns(table: &str) -> String {
    [
        "display_name",
        "accent_color",
        "logo",
        "support_url",
        "privacy_url",
        "allowed_redirect_origins",
        "allowed_frame_ancestors",
        "redirect_out_of_frame",
    ]
    .map(|column| format!("{table}.{column}"))
    .join(", ")
}

impl BrandingColumns {
    /// The display name when set, else `name`.
    pub(super) fn shown_name(&self, name: String) -> String {
        self.display_name.clone().unwrap_or(name)
    }

    pub(super) fn branding(&self) -> Branding {
        Branding {
            display_name: self.display_name.clone(),
            accent_color: self.accent_color.as_deref().and_then(AccentColor::from_stored),
            logo: self.logo.as_deref().and_then(LogoRef::from_file_name),
            support_url: self.support_url.as_deref().and_then(LinkUrl::from_stored),
            privacy_url: self.privacy_url.as_deref().and_then(LinkUrl::from_stored),
            allowed_redirect_origins: self.allowed_redirect_origins.as_deref().map(split_origins),
            allowed_frame_ancestors: self
                .allowed_frame_ancestors
                .as_deref()
                .map(split_origins)
                .unwrap_or_default(),
            redirect_out_of_frame: self.redirect_out_of_frame,
        }
    }
}

impl From<ProgramRow> for Program {
    fn from(row: ProgramRow) -> Self {
        let branding = row.branding.branding();
        Self {
            branding,
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
    interest_rate, lending_maximum_extendable_credit, idempotency_key, created_at, updated_at, \
    display_name, accent_color, logo, support_url, privacy_url, allowed_redirect_origins, allowed_frame_ancestors, \
    redirect_out_of_frame";

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
    let sql = format!("SELECT {COLUMNS} FROM programs WHERE id = $2 AND {SAME_GROUP}");
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
        Ok(read!(self, c => find_program(c, group, id).await?))
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
        insert_program(self.conn()?, group, program, idempotency_key, now).await
    }

    pub async fn find_program(&mut self, group: &GroupId, id: &ProgramId) -> Result<Option<Program>, StoreError> {
        find_program(self.conn()?, group, id).await
    }
}

impl Store {
    /// A logo by its file name (`<sha256>.<ext>`), with its type.
    #[tracing::instrument(skip_all)]
    pub async fn find_logo(&self, logo: &LogoRef) -> Result<Option<(LogoType, Vec<u8>)>, StoreError> {
        let sql = "SELECT content_type, bytes FROM program_logos WHERE file_name = $1";
        let row: Option<(String, Vec<u8>)> = read!(self, conn => on!(conn, c => sqlx::query_as(sql)
            .bind(logo.file_name())
            .fetch_optional(&mut *c)
            .await?));
        Ok(row.and_then(|(content_type, bytes)| LogoType::from_content_type(&content_type).map(|kind| (kind, bytes))))
    }
}

impl UnitOfWork {
    /// Applies a change of branding to a program of the group; `None` when
    /// there is no such program. One `UPDATE` sets only the settings the
    /// change names, so concurrent changes of different settings both land.
    /// A new logo is stored by its digest (a logo already stored is marked
    /// as used now, which keeps the sweep from deleting it meanwhile).
    #[tracing::instrument(skip_all, fields(program_id = %id))]
    pub async fn update_branding(
        &mut self,
        group: &GroupId,
        id: &ProgramId,
        change: &BrandingChange,
        now: DateTime<Utc>,
    ) -> Result<Option<Program>, StoreError> {
        if let Some(Some(logo)) = &change.logo {
            let sql = "INSERT INTO program_logos (file_name, content_type, bytes, last_set_at)
                       SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM programs WHERE id = $6 AND (group_id = $5) IS TRUE)
                       ON CONFLICT (file_name) DO UPDATE SET last_set_at = excluded.last_set_at";
            on!(self.conn()?, c => sqlx::query(sql)
                .bind(logo.reference().file_name())
                .bind(logo.kind().content_type())
                .bind(logo.bytes())
                .bind(Ts(now))
                .bind(group)
                .bind(id)
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        let text = |value: Option<String>| Setting::Text(value);
        let mut settings: Vec<(&str, Setting)> = Vec::new();
        if let Some(value) = &change.display_name {
            settings.push(("display_name", text(value.clone())));
        }
        if let Some(value) = change.accent_color {
            settings.push(("accent_color", text(value.map(|color| color.as_hex()))));
        }
        if let Some(value) = &change.logo {
            settings.push(("logo", text(value.as_ref().map(|logo| logo.reference().file_name()))));
        }
        if let Some(value) = &change.support_url {
            settings.push(("support_url", text(value.as_ref().map(|url| url.as_str().to_owned()))));
        }
        if let Some(value) = &change.privacy_url {
            settings.push(("privacy_url", text(value.as_ref().map(|url| url.as_str().to_owned()))));
        }
        if let Some(value) = &change.allowed_redirect_origins {
            settings.push(("allowed_redirect_origins", text(value.as_deref().map(join_origins))));
        }
        if let Some(value) = &change.allowed_frame_ancestors {
            let joined = Some(join_origins(value)).filter(|joined| !joined.is_empty());
            settings.push(("allowed_frame_ancestors", text(joined)));
        }
        if let Some(value) = change.redirect_out_of_frame {
            settings.push(("redirect_out_of_frame", Setting::Flag(value)));
        }
        let row: Option<ProgramRow> = on!(self.conn()?, c => {
            let mut query = sqlx::QueryBuilder::new("UPDATE programs SET updated_at = ");
            query.push_bind(Ts(now));
            for (column, setting) in &settings {
                query.push(format!(", {column} = "));
                match setting {
                    Setting::Text(value) => query.push_bind(value.clone()),
                    Setting::Flag(value) => query.push_bind(*value),
                };
            }
            // The ID's index only (see `SAME_GROUP`).
            query.push(" WHERE id = ");
            query.push_bind(id);
            query.push(" AND (group_id = ");
            query.push_bind(group);
            query.push(format!(") IS TRUE RETURNING {COLUMNS}"));
            query.build_query_as().fetch_optional(&mut *c).await?
        });
        Ok(row.map(Program::from))
    }
}

/// A new value of one branding column.
enum Setting {
    Text(Option<String>),
    Flag(bool),
}

impl Store {
    /// Deletes the logos no program has used since `cutoff`; returns how
    /// many. A logo being set again is marked as used in the same statement
    /// that would conflict with its deletion, so it is never lost.
    #[tracing::instrument(skip_all)]
    pub async fn delete_unused_logos(&self, cutoff: DateTime<Utc>) -> Result<u64, StoreError> {
        let sql = "DELETE FROM program_logos WHERE last_set_at < $1
                   AND NOT EXISTS (SELECT 1 FROM programs WHERE programs.logo = program_logos.file_name)";
        let mut work = self.begin().await?;
        let deleted = on!(work.conn()?, c => sqlx::query(sql).bind(Ts(cutoff)).execute(&mut *c).await?.rows_affected());
        work.commit().await?;
        Ok(deleted)
    }
}
