//! Events (`GET /events`, `GET /events/{id}`) and Event Subscriptions
//! (`POST`/`GET /event_subscriptions`, `GET`/`PATCH /event_subscriptions/{id}`),
//! as Increase's official SDKs define them.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    auth::Caller,
    entities::created_at_range,
    error::{ApiError, FieldError},
    pagination::{ListQuery, ListResponse, Problems},
    request::{Resource, begin_json_write, json},
};
use crate::{
    domain::{
        RedirectUrl,
        event::{Event, EventCategory, EventSubscription, SubscriptionStatus, WebhookSecret},
        ids::{EventId, EventSubscriptionId, IdempotencyKey},
        time,
    },
    startup::AppState,
    store::EventFilter,
    usecases::events::{self as usecase, CreatedSubscription},
};

/// Events may be listed up to 1,000 at a time.
const MAX_EVENTS_PAGE: u32 = 1000;

/// Something that happened to an object.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Event)]
pub struct EventResponse<'a> {
    #[schema(value_type = String)]
    pub associated_object_id: &'a str,
    #[schema(value_type = String, example = "entity")]
    pub associated_object_type: &'a str,
    pub category: EventCategory,
    #[serde(serialize_with = "time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    pub id: &'a EventId,
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::event)]
    pub kind: &'static str,
}

impl<'a> From<&'a Event> for EventResponse<'a> {
    fn from(event: &'a Event) -> Self {
        Self {
            associated_object_id: &event.associated_object_id,
            associated_object_type: &event.associated_object_type,
            category: event.category,
            created_at: event.created_at,
            id: &event.id,
            kind: "event",
        }
    }
}

#[utoipa::path(
    get,
    path = "/events",
    tag = "Events",
    operation_id = "list_events",
    params(
        ("cursor" = Option<String>, Query, description = "Return the page after this one: a `next_cursor` from this API."),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "How many Events to return, 1 to 1,000 (default 100)."),
        ("category.in" = Option<Vec<EventCategory>>, Query, style = Form, explode = false, min_items = 1,
            description = "Only Events of these categories (comma-separated). Without it, every Increase category; \
                the `entity_onboarding_session.*` categories are listed only when named here."),
        ("associated_object_id" = Option<String>, Query, description = "Only Events about this object."),
        ("created_at.after" = Option<DateTime<Utc>>, Query, description = "Only Events created after this time."),
        ("created_at.before" = Option<DateTime<Utc>>, Query, description = "Only Events created before this time."),
        ("created_at.on_or_after" = Option<DateTime<Utc>>, Query, description = "Only Events created at or after this time."),
        ("created_at.on_or_before" = Option<DateTime<Utc>>, Query, description = "Only Events created at or before this time."),
        ("order_by.direction" = Option<String>, Query, description = "`descending` (newest first, the default) or `ascending`."),
        ("order_by.field" = Option<String>, Query, description = "`created_at`, the only field Events are ordered by."),
    ),
    responses((status = 200, description = "A page of Events", body = ListResponse<EventResponse>)),
)]
pub async fn list_events(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string())?;
    let mut problems = Problems::default();
    let window = problems.take_all(query.window_up_to(MAX_EVENTS_PAGE));
    let categories = problems.take(query.list::<EventCategory>("category.in", &EventCategory::names()));
    let object = problems.take(query.value("associated_object_id", |id: &str| {
        if id.is_empty() || id.len() > 200 {
            Err("must be 1 to 200 characters long")
        } else {
            Ok(id.to_owned())
        }
    }));
    let (from, until) = created_at_range(&query, &mut problems);
    let ascending = problems.take(query.value("order_by.direction", |direction: &str| match direction {
        "ascending" => Ok(true),
        "descending" => Ok(false),
        _ => Err("must be ascending or descending"),
    }));
    problems.take(query.value("order_by.field", |field: &str| match field {
        "created_at" => Ok(()),
        _ => Err("must be created_at"),
    }));
    let window = problems.finish(window)?;
    let filter = EventFilter {
        categories: categories.flatten(),
        associated_object_id: object.flatten(),
        created_from: from,
        created_until: until,
        ascending: ascending.flatten().unwrap_or(false),
    };
    let page = state.store.list_events(&caller.group_id, &filter, window).await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(&page, EventResponse::from)))
}

#[utoipa::path(
    get,
    path = "/events/{id}",
    tag = "Events",
    operation_id = "retrieve_an_event",
    params(("id" = EventId, Path, description = "The Event's ID.")),
    responses((status = 200, description = "The Event", body = EventResponse)),
)]
pub async fn retrieve_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<EventId>,
) -> Result<HttpResponse, ApiError> {
    let event = state
        .store
        .find_event(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(EventResponse::from(&event)))
}

/// One selected category, as Increase writes it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SelectedEventCategory {
    pub event_category: EventCategory,
}

/// Where Events are delivered as webhooks. Its secret is never shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EventSubscription)]
pub struct SubscriptionResponse<'a> {
    #[serde(serialize_with = "time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    pub id: &'a EventSubscriptionId,
    #[schema(value_type = Option<String>)]
    pub idempotency_key: Option<&'a IdempotencyKey>,
    /// Not supported by this service: always `null`.
    #[schema(value_type = Option<String>)]
    pub oauth_connection_id: Option<&'static str>,
    /// `null`: every Increase category.
    pub selected_event_categories: Option<Vec<SelectedEventCategory>>,
    pub status: SubscriptionStatus,
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::event_subscription)]
    pub kind: &'static str,
    #[schema(value_type = String, format = Uri)]
    pub url: &'a str,
}

impl<'a> From<&'a EventSubscription> for SubscriptionResponse<'a> {
    fn from(subscription: &'a EventSubscription) -> Self {
        Self {
            created_at: subscription.created_at,
            id: &subscription.id,
            idempotency_key: subscription.idempotency_key.as_ref(),
            oauth_connection_id: None,
            selected_event_categories: subscription.selected_event_categories.as_ref().map(|categories| {
                categories
                    .iter()
                    .map(|&event_category| SelectedEventCategory { event_category })
                    .collect()
            }),
            status: subscription.status,
            kind: "event_subscription",
            url: subscription.url.as_str(),
        }
    }
}

/// The create response: the subscription, plus the secret the service
/// generated when none was given (shown this once).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CreatedEventSubscription)]
struct CreatedResponse<'a> {
    #[serde(serialize_with = "time::serialize")]
    #[schema(value_type = String, format = DateTime)]
    created_at: DateTime<Utc>,
    id: &'a EventSubscriptionId,
    #[schema(value_type = Option<String>)]
    idempotency_key: Option<&'a IdempotencyKey>,
    #[schema(value_type = Option<String>)]
    oauth_connection_id: Option<&'static str>,
    selected_event_categories: Option<Vec<SelectedEventCategory>>,
    status: SubscriptionStatus,
    #[serde(rename = "type")]
    #[schema(schema_with = super::openapi::object_type::event_subscription)]
    kind: &'static str,
    #[schema(value_type = String, format = Uri)]
    url: &'a str,
    /// The key of the webhook signatures when the service generated it,
    /// shown this once; `null` when the platform gave its own.
    #[schema(value_type = Option<String>)]
    shared_secret: Option<&'a str>,
}

impl<'a> CreatedResponse<'a> {
    fn new(created: &'a CreatedSubscription) -> Self {
        let shown = SubscriptionResponse::from(&created.subscription);
        Self {
            created_at: shown.created_at,
            id: shown.id,
            idempotency_key: shown.idempotency_key,
            oauth_connection_id: shown.oauth_connection_id,
            selected_event_categories: shown.selected_event_categories,
            status: shown.status,
            kind: shown.kind,
            url: shown.url,
            shared_secret: created.generated_secret.as_ref().map(WebhookSecret::expose),
        }
    }
}

impl Resource for CreatedSubscription {
    fn resource_id(&self) -> &str {
        self.subscription.id.as_str()
    }
}

impl Resource for EventSubscription {
    fn resource_id(&self) -> &str {
        self.id.as_str()
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = CreateEventSubscription)]
struct CreateSubscriptionBody {
    /// Where to POST the Events: `https` (plain `http` only for `localhost`
    /// and `127.0.0.1`).
    #[schema(value_type = String, format = Uri, required = true)]
    url: Option<String>,
    /// The categories to deliver; by default every Increase category. The
    /// `entity_onboarding_session.*` categories are delivered only when selected.
    #[schema(value_type = Option<Vec<SelectedEventCategory>>)]
    selected_event_categories: Option<Vec<serde_json::Value>>,
    /// Older SDKs select one category this way.
    #[schema(value_type = Option<EventCategory>)]
    selected_event_category: Option<String>,
    /// The key of the webhook signatures (16 to 200 printable characters);
    /// generated, and shown once in this response, when omitted.
    #[schema(min_length = 16, max_length = 200)]
    shared_secret: Option<String>,
    #[schema(value_type = Option<String>, example = "active")]
    status: Option<String>,
    /// Not supported by this service.
    #[schema(value_type = Option<String>)]
    oauth_connection_id: Option<serde_json::Value>,
}

struct CreateSubscription {
    url: url::Url,
    categories: Option<Vec<EventCategory>>,
    secret: Option<WebhookSecret>,
    status: SubscriptionStatus,
}

fn category(value: &serde_json::Value, field: &str) -> Result<EventCategory, FieldError> {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| FieldError::new(field, format!("must be one of {}", EventCategory::names())))
}

impl CreateSubscriptionBody {
    fn parse(self) -> Result<CreateSubscription, ApiError> {
        let mut problems = Problems::default();
        let url = problems.take(match self.url.as_deref() {
            None => Err(FieldError::new("url", "is required")),
            Some(url) => RedirectUrl::parse(url)
                .map_err(|message| FieldError::new("url", message))
                .and_then(|url| url::Url::parse(url.as_str()).map_err(|_| FieldError::new("url", "is not a URL"))),
        });
        let mut categories: Option<Vec<EventCategory>> = None;
        if let Some(selected) = &self.selected_event_categories {
            let mut list = Vec::new();
            for (index, item) in selected.iter().enumerate() {
                let field = format!("selected_event_categories.{index}.event_category");
                let parsed = match item.get("event_category") {
                    Some(value) => category(value, &field),
                    None => Err(FieldError::new(&field, "is required")),
                };
                if let Some(parsed) = problems.take(parsed)
                    && !list.contains(&parsed)
                {
                    list.push(parsed);
                }
            }
            if selected.is_empty() {
                problems.take::<()>(Err(FieldError::new(
                    "selected_event_categories",
                    "must select at least one category (omit it for every category)",
                )));
            }
            categories = Some(list);
        }
        if let Some(single) = &self.selected_event_category {
            if self.selected_event_categories.is_some() {
                problems.take::<()>(Err(FieldError::new(
                    "selected_event_category",
                    "give either selected_event_category or selected_event_categories",
                )));
            } else if let Some(parsed) = problems.take(category(
                &serde_json::Value::String(single.clone()),
                "selected_event_category",
            )) {
                categories = Some(vec![parsed]);
            }
        }
        let secret = problems.take(
            self.shared_secret
                .as_deref()
                .map(WebhookSecret::parse)
                .transpose()
                .map_err(|message| FieldError::new("shared_secret", message)),
        );
        let status = problems.take(match self.status.as_deref() {
            None | Some("active") => Ok(SubscriptionStatus::Active),
            Some("disabled") => Ok(SubscriptionStatus::Disabled),
            Some(_) => Err(FieldError::new("status", "must be active or disabled")),
        });
        if self.oauth_connection_id.as_ref().is_some_and(|value| !value.is_null()) {
            problems.take::<()>(Err(FieldError::new(
                "oauth_connection_id",
                "is not supported by this service",
            )));
        }
        let ((url, secret), status) = problems.finish(url.zip(secret).zip(status))?;
        Ok(CreateSubscription {
            url,
            categories,
            secret,
            status,
        })
    }
}

#[utoipa::path(
    post,
    path = "/event_subscriptions",
    tag = "Event Subscriptions",
    operation_id = "create_an_event_subscription",
    request_body = CreateSubscriptionBody,
    responses((status = 200, description = "The new Event Subscription; with `shared_secret` when it was generated", body = CreatedResponse)),
)]
pub async fn create_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = begin_json_write(&state, &req, payload).await?;
    let request = match body
        .parse::<CreateSubscriptionBody>()
        .and_then(CreateSubscriptionBody::parse)
    {
        Ok(request) => request,
        Err(error) => return write.refuse(&state, &caller, error).await,
    };
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| {
                usecase::create_subscription(
                    work,
                    &caller.group_id,
                    request.url,
                    request.categories,
                    request.secret,
                    request.status,
                    write.key.as_ref(),
                    now,
                )
                .await
            },
            |created| json(CreatedResponse::new(created)),
        )
        .await
}

#[utoipa::path(
    get,
    path = "/event_subscriptions",
    tag = "Event Subscriptions",
    operation_id = "list_event_subscriptions",
    params(
        super::openapi::PageParams,
        ("idempotency_key" = Option<IdempotencyKey>, Query,
            description = "Only the Event Subscription created with this `Idempotency-Key`."),
    ),
    responses((status = 200, description = "A page of Event Subscriptions, newest first", body = ListResponse<SubscriptionResponse>)),
)]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = ListQuery::parse(req.query_string())?;
    let mut problems = Problems::default();
    let window = problems.take_all(query.window());
    let key = problems.take(query.value("idempotency_key", IdempotencyKey::parse));
    let window = problems.finish(window)?;
    let page = state
        .store
        .list_subscriptions(&caller.group_id, key.flatten().as_ref(), window)
        .await?;
    Ok(HttpResponse::Ok().json(ListResponse::new(&page, SubscriptionResponse::from)))
}

#[utoipa::path(
    get,
    path = "/event_subscriptions/{id}",
    tag = "Event Subscriptions",
    operation_id = "retrieve_an_event_subscription",
    params(("id" = EventSubscriptionId, Path, description = "The Event Subscription's ID.")),
    responses((status = 200, description = "The Event Subscription", body = SubscriptionResponse)),
)]
pub async fn retrieve_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<EventSubscriptionId>,
) -> Result<HttpResponse, ApiError> {
    let subscription = state
        .store
        .find_subscription(&caller.group_id, &id)
        .await?
        .ok_or(ApiError::ObjectNotFound)?;
    Ok(HttpResponse::Ok().json(SubscriptionResponse::from(&subscription)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = UpdateEventSubscription)]
struct UpdateSubscriptionBody {
    /// `active`, `disabled`, or `deleted` (for good).
    #[schema(value_type = Option<SubscriptionStatus>)]
    status: Option<String>,
}

#[utoipa::path(
    patch,
    path = "/event_subscriptions/{id}",
    tag = "Event Subscriptions",
    operation_id = "update_an_event_subscription",
    params(("id" = EventSubscriptionId, Path, description = "The Event Subscription's ID.")),
    request_body = UpdateSubscriptionBody,
    responses((status = 200, description = "The Event Subscription", body = SubscriptionResponse)),
)]
pub async fn update_subscription(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<EventSubscriptionId>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body, write) = begin_json_write(&state, &req, payload).await?;
    let status = match body
        .parse::<UpdateSubscriptionBody>()
        .and_then(|body| match body.status.as_deref() {
            None => Err(ApiError::field("status", "is required")),
            Some(status) => status
                .parse::<SubscriptionStatus>()
                .map_err(|_| ApiError::field("status", "must be active, disabled or deleted")),
        }) {
        Ok(status) => status,
        Err(error) => return write.refuse(&state, &caller, error).await,
    };
    let now = state.clock.now();
    write
        .run(
            &state,
            &caller,
            async |work| usecase::update_subscription(work, &caller.group_id, &id, status, now).await,
            |subscription| json(SubscriptionResponse::from(subscription)),
        )
        .await
}
