//! Programs.

use chrono::{DateTime, Utc};

use super::{Conn, Page, Store, StoreError, UnitOfWork, Window, on, position, read, time::Ts};
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
#[derive(sqlx::FromRow)]
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
    /// there is no such program. A new logo is stored by its digest, and a
    /// logo no program uses any more is deleted.
    #[tracing::instrument(skip_all, fields(program_id = %id))]
    pub async fn update_branding(
        &mut self,
        group: &GroupId,
        id: &ProgramId,
        change: &BrandingChange,
        now: DateTime<Utc>,
    ) -> Result<Option<Program>, StoreError> {
        let Some(program) = find_program(self.conn(), group, id).await? else {
            return Ok(None);
        };
        let mut branding = program.branding;
        if let Some(display_name) = &change.display_name {
            branding.display_name.clone_from(display_name);
        }
        if let Some(accent_color) = change.accent_color {
            branding.accent_color = accent_color;
        }
        if let Some(support_url) = &change.support_url {
            branding.support_url.clone_from(support_url);
        }
        if let Some(privacy_url) = &change.privacy_url {
            branding.privacy_url.clone_from(privacy_url);
        }
        if let Some(origins) = &change.allowed_redirect_origins {
            branding.allowed_redirect_origins.clone_from(origins);
        }
        if let Some(origins) = &change.allowed_frame_ancestors {
            branding.allowed_frame_ancestors.clone_from(origins);
        }
        if let Some(out_of_frame) = change.redirect_out_of_frame {
            branding.redirect_out_of_frame = out_of_frame;
        }
        let replaced_logo = change.logo.is_some().then(|| branding.logo.clone()).flatten();
        if let Some(logo) = &change.logo {
            branding.logo = logo.as_ref().map(crate::domain::branding::Logo::reference);
            if let (Some(logo), Some(reference)) = (logo, &branding.logo) {
                let sql = "INSERT INTO program_logos (file_name, content_type, bytes, created_at)
                           VALUES ($1, $2, $3, $4) ON CONFLICT (file_name) DO NOTHING";
                on!(self.conn(), c => sqlx::query(sql)
                    .bind(reference.file_name())
                    .bind(logo.kind().content_type())
                    .bind(logo.bytes())
                    .bind(Ts(now))
                    .execute(&mut *c)
                    .await?
                    .rows_affected());
            }
        }
        let sql = format!(
            "UPDATE programs SET display_name = $1, accent_color = $2, logo = $3, support_url = $4,
                privacy_url = $5, allowed_redirect_origins = $6, allowed_frame_ancestors = $7, updated_at = $8,
                redirect_out_of_frame = $11
             WHERE group_id = $9 AND id = $10
             RETURNING {COLUMNS}"
        );
        let row: ProgramRow = on!(self.conn(), c => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(&branding.display_name)
            .bind(branding.accent_color.map(|color| color.as_hex()))
            .bind(branding.logo.as_ref().map(LogoRef::file_name))
            .bind(branding.support_url.as_ref().map(LinkUrl::as_str))
            .bind(branding.privacy_url.as_ref().map(LinkUrl::as_str))
            .bind(branding.allowed_redirect_origins.as_deref().map(join_origins))
            .bind(Some(join_origins(&branding.allowed_frame_ancestors)).filter(|joined| !joined.is_empty()))
            .bind(Ts(now))
            .bind(group)
            .bind(id)
            .bind(branding.redirect_out_of_frame)
            .fetch_one(&mut *c)
            .await?);
        if let Some(old) = replaced_logo.filter(|old| Some(old) != branding.logo.as_ref()) {
            let sql = "DELETE FROM program_logos WHERE file_name = $1
                       AND NOT EXISTS (SELECT 1 FROM programs WHERE logo = $1)";
            on!(self.conn(), c => sqlx::query(sql).bind(old.file_name()).execute(&mut *c).await?.rows_affected());
        }
        Ok(Some(row.into()))
    }
}
