//! A request body must arrive in full within the request timeout (the
//! server itself gives the request's head the same time). A client that
//! stops sending, or drips a byte now and then, is answered and cut off
//! instead of holding a connection and a worker's attention indefinitely.

use std::{
    cell::Cell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll, ready},
    time::Duration,
};

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    error::PayloadError,
    http::ConnectionType,
    middleware::Next,
    web::{self, Bytes},
};
use futures_util::Stream;
use tokio::time::{Instant, Sleep, sleep_until};

use crate::{api::error::ApiError, startup::AppState, web::PageError};

/// Gives the request's body a deadline; when it passes before the body is
/// in, whatever the handler made of the truncated body is replaced by an
/// answer saying so, and the connection is closed.
pub async fn cut_slow_bodies(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(timeout) = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.settings.request_timeout)
    else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let expired = Rc::new(Cell::new(false));
    match req.take_payload() {
        Payload::None => req.set_payload(Payload::None),
        body => req.set_payload(Payload::Stream {
            payload: Box::pin(Deadline {
                body,
                deadline: Instant::now() + timeout,
                timer: None,
                expired: Rc::clone(&expired),
            }),
        }),
    }
    let response = next.call(req).await?;
    if !expired.get() {
        return Ok(response.map_into_left_body());
    }
    metrics::counter!("onboarding_request_bodies_timed_out_total").increment(1);
    let mut answer = too_slow(response.request(), timeout);
    answer.head_mut().set_connection_type(ConnectionType::Close);
    Ok(response.into_response(answer).map_into_right_body())
}

/// What a client whose body did not arrive in time is told: the JSON
/// envelope (a malformed request, as Increase calls an incomplete one) or,
/// on the hosted pages, a page.
fn too_slow(req: &HttpRequest, timeout: Duration) -> HttpResponse {
    if crate::links::is_hosted_page(req.path()) {
        PageError::TooSlow
            .in_language(crate::web::i18n::PageLanguage::of_request(req))
            .error_response()
    } else {
        let seconds = timeout.as_secs();
        let unit = if seconds == 1 { "second" } else { "seconds" };
        ApiError::MalformedRequest(format!(
            "The request body did not arrive within {seconds} {unit}; the connection is closed."
        ))
        .error_response()
    }
}

/// A request body that fails with a timeout once its deadline passes.
struct Deadline {
    body: Payload,
    deadline: Instant,
    /// Started on the first wait, so a body read at once costs no timer.
    timer: Option<Pin<Box<Sleep>>>,
    expired: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired.get() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(chunk) = Pin::new(&mut this.body).poll_next(cx) {
            return Poll::Ready(chunk);
        }
        let deadline = this.deadline;
        let timer = this.timer.get_or_insert_with(|| Box::pin(sleep_until(deadline)));
        ready!(timer.as_mut().poll(cx));
        this.expired.set(true);
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the request body did not arrive in time",
        )))))
    }
}
