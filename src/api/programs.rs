//! Programs: `GET /programs`, `GET /programs/{id}`, `POST /simulations/programs`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    auth::{Caller, SandboxCaller},
    error::{ApiError, FieldError},
    pagination::{ListQuery, ListResponse, Problems},
    request::{begin_json_write, json},
};
use crate::{
    domain::{
        ids::ProgramId,
        program::{Bank, NewProgram, Program, parse_program_name},
        time,
    },
    startup::AppState,
    usecases::programs as usecase,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Lending {
    pub maximum_extendable_credit: i64,
}

/// A Program: what an Entity is onboarded to.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Program)]
pub struct ProgramResponse<'a> {
    pub id: &'a ProgramId,
    pub bank: Bank,
    pub billing_account_id: Option<&'a str>,
    #[serde(serialize_with = "time::serialize")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub default_digital_card_profile_id: Option<&'a str>,
    /// A decimal string, like `"0.01"`.
    pub interest_rate: &'a str,
    pub lending: Option<Lending>,
    pub name: &'a str,
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::program)]
    pub kind: &'static str,
    #[serde(serialize_with = "time::serialize")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl<'a> From<&'a Program> for ProgramResponse<'a> {
    fn from(program: &'a Program) -> Self {
        Self {
            id: &program.id,
            bank: program.bank,
            billing_account_id: program.billing_account_id.as_deref(),
            created_at: program.created_at,
            default_digital_card_profile_id: program.default_digital_card_profile_id.as_deref(),
            interest_rate: &program.interest_rate,
            lending: program
                .lending_maximum_extendable_credit
                .map(|maximum_extendable_credit| Lending {
                    maximum_extendable_credit,
                }),
            name: &program.name,
            kind: "program",
            updated_at: program.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateProgram)]
struct CreateProgramBody {
    /// 1 to 200 characters once leading and trailing spaces are trimmed; no
    /// control characters.
    #[schema(value_type = String, min_length = 1, required = true)]
    name: Option<String>,
    /// `core_bank` when not given.
    #[schema(value_type = Option<Bank>)]
    bank: Option<String>,
    #[serde(default, deserialize_with = "super::request::optional_whole_number")]
    #[schema(minimum = 0)]
    lending_maximum_extendable_credit: Option<i64>,
}

impl TryFrom<CreateProgramBody> for NewProgram {
    type Error = ApiError;

    fn try_from(body: CreateProgramBody) -> Result<Self, ApiError> {
        let mut problems = Problems::default();
        let name = problems.take(match body.name.as_deref() {
            None => Err(FieldError::new("name", "is required")),
            Some(name) => parse_program_name(name).map_err(|message| FieldError::new("name", message)),
        });
        let bank = problems.take(
            body.bank
                .as_deref()
                .map_or(Ok(Bank::CoreBank), str::parse)
                .map_err(|_| FieldError::new("bank", format!("must be one of {}", Bank::names()))),
        );
        let credit = problems.take(match body.lending_maximum_extendable_credit {
            Some(credit) if credit < 0 => Err(FieldError::new(
                "lending_maximum_extendable_credit",
                "must not be negative",
            )),
            credit => Ok(credit),
        });
        let ((name, bank), credit) = problems.finish(name.zip(bank).zip(credit))?;
        Ok(Self {
            bank,
            lending_maximum_extendable_credit: credit,
            ..Self::named(name)
        })
    }
}

/// Sandbox: creates a Program.
#[utoipa::path(
    post,
    path = "/simulations/programs",
    tag = "Simulations",
    operation_id = "create_a_program",
    request_body = CreateProgramBody,
    responses((status = 200, description = "The new Program", body = ProgramResponse)),
)]
pub async fn create_program(
    SandboxCaller(caller): SandboxCaller,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = begin_json_write(&state, &req, payload).await?;
    let program = match body.parse::<CreateProgramBody>().and_then(NewProgram::try_from) {
        Ok(program) => program,
        Err(error) => return write.refuse(&state, &caller, error).await,
    };
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| usecase::create_program(work, &caller.group_id, &program, write.key.as_ref(), now).await,
            |object| json(ProgramResponse::from(object)),
        )
        .await
}

#[utoipa::path(
    get,
    path = "/programs/{id}",
    tag = "Programs",
    operation_id = "retrieve_a_program",
    params(("id" = ProgramId, Path, description = "The Program's ID.")),
    responses((status = 200, description = "The Program", body = ProgramResponse)),
)]
pub async fn retrieve_program(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<ProgramId>,
) -> Result<HttpResponse, ApiError> {
    let program = state
        .store
        .find_program(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(ProgramResponse::from(&program)))
}

#[utoipa::path(
    get,
    path = "/programs",
    tag = "Programs",
    operation_id = "list_programs",
    params(super::openapi::PageParams),
    responses((status = 200, description = "A page of Programs, newest first", body = ListResponse<ProgramResponse>)),
)]
pub async fn list_programs(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let window = ListQuery::parse(req.query_string())?.window()?;
    let page = state.store.list_programs(&caller.group_id, window).await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(&page, ProgramResponse::from)))
}
