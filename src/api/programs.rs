//! Programs: `GET /programs`, `GET /programs/{id}`, `POST /simulations/programs`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::{
    auth::Caller,
    error::{ApiError, FieldError},
    pagination::{ListQuery, Page},
    request::{JsonWrite, begin_json_write},
};
use crate::{
    domain::{
        ids,
        program::{Bank, parse_program_name},
        time,
    },
    startup::AppState,
    store::{NewProgram, ProgramRow},
};

#[derive(Debug, Serialize)]
pub struct Lending {
    pub maximum_extendable_credit: i64,
}

#[derive(Debug, Serialize)]
pub struct ProgramResponse {
    pub id: String,
    pub bank: String,
    pub billing_account_id: Option<String>,
    #[serde(serialize_with = "time::serialize")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub default_digital_card_profile_id: Option<String>,
    pub interest_rate: String,
    pub lending: Option<Lending>,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(serialize_with = "time::serialize")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<&ProgramRow> for ProgramResponse {
    fn from(row: &ProgramRow) -> Self {
        Self {
            id: row.id.clone(),
            bank: row.bank.clone(),
            billing_account_id: row.billing_account_id.clone(),
            created_at: time::from_micros(row.created_at),
            default_digital_card_profile_id: row.default_digital_card_profile_id.clone(),
            interest_rate: row.interest_rate.clone(),
            lending: row
                .lending_maximum_extendable_credit
                .map(|maximum_extendable_credit| Lending {
                    maximum_extendable_credit,
                }),
            name: row.name.clone(),
            kind: "program",
            updated_at: time::from_micros(row.updated_at),
        }
    }
}

#[derive(Debug, Deserialize)]
struct CreateProgramBody {
    name: Option<String>,
    bank: Option<String>,
    lending_maximum_extendable_credit: Option<i64>,
}

impl CreateProgramBody {
    fn into_new_program(self) -> Result<NewProgram, ApiError> {
        let mut errors = Vec::new();
        let name = match self.name.as_deref().map(parse_program_name) {
            None => {
                errors.push(FieldError::new("name", "is required"));
                None
            }
            Some(Err(message)) => {
                errors.push(FieldError::new("name", message));
                None
            }
            Some(Ok(name)) => Some(name),
        };
        let bank = match self.bank.as_deref() {
            None => Bank::CoreBank,
            Some(raw) => Bank::parse(raw).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "bank",
                    "must be one of core_bank, first_internet_bank, grasshopper_bank, increase_bank",
                ));
                Bank::CoreBank
            }),
        };
        if self.lending_maximum_extendable_credit.is_some_and(|credit| credit < 0) {
            errors.push(FieldError::new(
                "lending_maximum_extendable_credit",
                "must not be negative",
            ));
        }
        match name {
            Some(name) if errors.is_empty() => Ok(NewProgram {
                id: ids::new_id(ids::PROGRAM),
                name,
                bank,
                lending_maximum_extendable_credit: self.lending_maximum_extendable_credit,
            }),
            _ => Err(ApiError::InvalidParameters(errors)),
        }
    }
}

pub async fn create_program(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = match begin_json_write(&state, &caller, &req, payload).await? {
        JsonWrite::Replay(response) => return Ok(response),
        JsonWrite::New(body, write) => (body, write),
    };
    let program = body.parse::<CreateProgramBody>()?.into_new_program()?;
    let outcome = state
        .store
        .insert_program(
            &caller.group_id,
            &program,
            write.idempotency(),
            state.clock.now(),
            |row| serde_json::to_string(&ProgramResponse::from(row)),
        )
        .await?;
    write.respond(outcome, |row| ProgramResponse::from(row))
}

pub async fn retrieve_program(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !ids::has_shape(ids::PROGRAM, &id) {
        return Err(ApiError::ObjectNotFound);
    }
    let row = state
        .store
        .find_program(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(ProgramResponse::from(&row)))
}

pub async fn list_programs(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string());
    let page = query.page()?;
    let rows = state
        .store
        .list_programs(&caller.group_id, page.before_seq, page.fetch_limit())
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(
        rows,
        page,
        |row| row.seq,
        |row| ProgramResponse::from(row),
    )))
}
