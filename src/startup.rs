//! Builds the HTTP application from its parts.

use std::{net::TcpListener, sync::Arc, time::Instant};

use actix_web::{
    App, HttpMessage, HttpRequest, HttpResponse, HttpServer, ResponseError,
    body::MessageBody,
    cookie::Key,
    dev::{Server, ServiceRequest, ServiceResponse},
    middleware::{Next, from_fn},
    web,
};
use tracing::Instrument;
use url::Url;

use crate::{
    api::{self, error::ApiError},
    clock::Clock,
    config::Settings,
    edge::{
        self, body_deadline::cut_slow_bodies, client_ip::client_ip, connections::ConnectionCap, rate_limit::RateLimits,
    },
    store::Store,
    web as pages, workers,
};

/// What every handler can reach.
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub clock: Arc<dyn Clock>,
    /// Base of every `session_url`.
    pub public_url: Url,
    pub limits: RateLimits,
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Binds the listener and prepares the server on an open store. Port 0
    /// picks a free port (see [`Application::port`]).
    pub fn build(settings: Settings, clock: Arc<dyn Clock>, store: Store) -> Result<Self, std::io::Error> {
        let listener = TcpListener::bind(settings.listen)?;
        let address = listener.local_addr()?;
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => {
                let host = if address.ip().is_unspecified() {
                    "localhost".to_owned()
                } else {
                    address.ip().to_string()
                };
                let host = if address.is_ipv6() && host != "localhost" {
                    format!("[{host}]")
                } else {
                    host
                };
                Url::parse(&format!("http://{host}:{}", address.port())).map_err(std::io::Error::other)?
            }
        };
        let cookies = pages::CookieSettings {
            key: match &settings.cookie_key {
                Some(key) => Key::from(&key.0),
                None => {
                    tracing::warn!(
                        "ONBOARDING_COOKIE_KEY is not set: using a random key, so form sessions end on restart"
                    );
                    Key::generate()
                }
            },
            secure: settings.cookie_secure.unwrap_or(public_url.scheme() == "https"),
        };
        let connections = ConnectionCap::new(settings.max_connections_per_ip, settings.trusted_proxies.clone());
        let state = web::Data::new(AppState {
            store,
            limits: RateLimits::new(&settings),
            settings: Arc::new(settings.clone()),
            clock,
            public_url,
        });
        // The recorder must exist before the first request is counted.
        crate::telemetry::metrics();
        let server_state = state.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(server_state.clone())
                .wrap(from_fn(cut_slow_bodies))
                .wrap(from_fn(log_request))
                .wrap(edge::strict_transport_security(&server_state.public_url))
                .wrap(from_fn(edge::connections::drop_over_cap))
                .configure(crate::probes::configure)
                // The pages first: the API's scope answers every path left over.
                .configure(pages::configure(cookies.clone()))
                .configure(api::configure)
                // Reached by unknown paths under the pages' own scope.
                .default_service(web::to(not_found))
        })
        // The head of a request must arrive within the request timeout, and
        // `cut_slow_bodies` gives its body as long again.
        .client_request_timeout(settings.request_timeout)
        .on_connect(move |connection, data| connections.on_connect(connection, data))
        .listen(listener)?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers.max(1));
        }
        Ok(Self {
            port: address.port(),
            server: server.run(),
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn public_url(&self) -> &Url {
        &self.state.public_url
    }

    /// Serves until the process is stopped, sweeping expired sessions,
    /// idempotent responses past their retention and idle rate-limit entries
    /// meanwhile, and keeping the metrics' histograms up to date.
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        let sweeper = tokio::spawn(workers::expiry::run(
            self.state.store.clone(),
            self.state.clock.clone(),
            self.state.settings.sweep_interval,
            self.state.settings.idempotency_retention,
        ));
        let state = self.state.clone();
        let forgetter = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                ticks.tick().await;
                state.limits.forget_idle_clients();
            }
        });
        let deliverer = tokio::spawn(workers::webhooks::run(
            self.state.store.clone(),
            self.state.clock.clone(),
            workers::webhooks::WebhookSettings {
                timeout: self.state.settings.webhook_timeout,
                retry_base: self.state.settings.webhook_retry_base,
            },
        ));
        let upkeep = tokio::spawn(crate::telemetry::keep_metrics_up());
        let result = self.server.await;
        upkeep.abort();
        deliverer.abort();
        sweeper.abort();
        forgetter.abort();
        result
    }
}

/// Unknown routes: an HTML page under the browser-facing prefixes, the JSON
/// envelope everywhere else.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    if crate::links::is_hosted_page(path) {
        pages::PageError::NotFound.error_response()
    } else {
        ApiError::MethodNotFound {
            method: req.method().to_string(),
            path: path.to_owned(),
        }
        .error_response()
    }
}

/// The id [`log_request`] gave the request, for records that name it (the
/// audit log).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// One span per request, carrying a request id (also sent back as
/// `x-request-id`) and the client's address: every line logged while
/// handling the request, error lines included, shows them. The request's own
/// line is logged when it ends (at DEBUG for the probes, which are polled).
/// Only the path is recorded: query strings can carry the form's secret
/// token. Each request is also counted and timed by route template for the
/// metrics.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = crate::domain::ids::random_alphanumeric(16);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let client = client_ip(req.request()).map(tracing::field::display);
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        client_ip = client,
        method = %req.method(),
        path = %req.path()
    );
    let probe = crate::probes::PATHS.contains(&req.path());
    let mut response = next.call(req).instrument(span.clone()).await?;
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(actix_web::http::header::HeaderName::from_static("x-request-id"), value);
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    // Only the standard methods become label values: a made-up method per
    // request must not add a series per request.
    let method = match response.request().method().as_str() {
        standard @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => standard.to_owned(),
        _ => "other".to_owned(),
    };
    let labels = [("route", route), ("method", method), ("status", status.to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2]).record(elapsed.as_secs_f64());
    span.in_scope(|| {
        let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
        if probe {
            tracing::debug!(status, elapsed_ms, "request");
        } else {
            tracing::info!(status, elapsed_ms, "request");
        }
    });
    Ok(response)
}
