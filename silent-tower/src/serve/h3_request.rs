//! One HTTP/3 request: its head read within the header read timeout and checked as RFC 9114
//! requires, the service called, the response sent — data frames as the body yields them, then
//! trailers, then the end of the stream. [`serve_request`] is the future of the request's task.

use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use bytes::{Buf, Bytes};
use http::{header, Request, Response};
use tower_service::Service;

use super::activity::Activity;
use super::body::{H3Body, RequestBody};
use super::h3_bound::{reading_fields, sending_at_once, BoundedBidi, BoundedConnection};
use super::in_flight::{ready_then_call, InFlight};
use super::phases::Phases;
use super::BoxError;

type Resolver = h3::server::RequestResolver<BoundedConnection, Bytes>;
type H3SendStream = h3::server::RequestStream<h3_quinn::SendStream<Bytes>, Bytes>;

/// The connection-specific header fields (RFC 9114 §4.2), which make a message malformed in
/// HTTP/3.
const CONNECTION_SPECIFIC: [&str; 5] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
];

/// Its name, if `name` is a [connection-specific](CONNECTION_SPECIFIC) field.
fn connection_specific(name: &header::HeaderName) -> Option<&'static str> {
    let name = name.as_str();
    CONNECTION_SPECIFIC
        .into_iter()
        .find(|specific| name == *specific)
}

/// Checks a request head as RFC 9114 §4.2 requires — no connection-specific field, `te` only
/// `trailers`, every `content-length` the same one number — and gives the body's length, if
/// given; or the field that makes the head malformed. One pass over the fields, not a look-up
/// per rule: a head has a handful.
fn checked_length(headers: &http::HeaderMap) -> Result<Option<u64>, &'static str> {
    let mut length = None;
    for (name, value) in headers {
        if let Some(field) = connection_specific(name) {
            return Err(field);
        }
        if name == header::TE
            && !value
                .as_bytes()
                .trim_ascii()
                .eq_ignore_ascii_case(b"trailers")
        {
            return Err("te");
        }
        if name == header::CONTENT_LENGTH {
            add_length(&mut length, value).map_err(|()| "content-length")?;
        }
    }
    Ok(length)
}

/// A message's `content-length`, if any: every value must be the same number.
fn content_length(headers: &http::HeaderMap) -> Result<Option<u64>, ()> {
    let mut length = None;
    for value in headers.get_all(header::CONTENT_LENGTH) {
        add_length(&mut length, value)?;
    }
    Ok(length)
}

/// Reads one `content-length` value (digits only) into `length`: an error if it is not a
/// number, or not the number an earlier value gave.
fn add_length(length: &mut Option<u64>, value: &http::HeaderValue) -> Result<(), ()> {
    let parsed = std::str::from_utf8(value.as_bytes())
        .ok()
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse::<u64>().ok())
        .ok_or(())?;
    if length.is_some_and(|length| length != parsed) {
        return Err(());
    }
    *length = Some(parsed);
    Ok(())
}

/// Resets a request stream whose head did not come, both ways, with `code`.
fn reject_head(mut resolver: Resolver, code: h3::error::Code) {
    use h3::quic::{RecvStream as _, SendStream as _};

    resolver.frame_stream.reset(code.value());
    resolver
        .frame_stream
        .into_inner()
        .stop_sending(code.value());
}

/// Reads one request's head (within the header read timeout), checks it, calls the service,
/// and sends its response.
///
/// The future is moved whole into the request's task, and every move copies it: it is made of
/// [`Phases`] — the head (its first frame, decoded and checked where it is read), the service's
/// call, the response's sending — so that each phase holds only what it needs, in bytes the
/// others reuse (1.4 KiB in all where one `async fn` took 4.5 KiB).
pub(super) fn serve_request<S, B>(
    resolver: Resolver,
    service: S,
    peer_addr: SocketAddr,
    header_read_timeout: Option<Duration>,
    activity: Arc<Activity>,
) -> impl Future<Output = ()>
where
    S: Service<Request<RequestBody>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body,
    B::Error: Into<BoxError>,
{
    Phases::new(
        first_frame(resolver, header_read_timeout, peer_addr),
        // A well-formed request: the service is called, then its response sent.
        move |resolved| {
            let (request, stream, length) = resolved?;
            let in_flight = InFlight::start(&activity);
            let (send, recv) = stream.split();
            let is_head = request.method() == http::Method::HEAD;
            // Checked as it is read: the body's data must add up to `length`.
            let malformed_body = length.map(|_| Arc::new(AtomicBool::new(false)));
            let body = H3Body::new(recv, length, malformed_body.clone(), Arc::clone(&activity));
            let request = request.map(|()| RequestBody::from(body));
            Some(Phases::new(
                ready_then_call(service, request),
                move |response: Result<Response<B>, BoxError>| {
                    let answer = Answer {
                        send,
                        is_head,
                        malformed_body,
                        peer_addr,
                        activity,
                        _in_flight: in_flight,
                    };
                    Some(answer.send(response))
                },
            ))
        },
    )
}

/// The request stream with its head read: where the body is read and the response sent.
type H3RequestStream = h3::server::RequestStream<BoundedBidi<Bytes>, Bytes>;

/// Waits for the request's HEADERS frame (whole by the header read timeout, and within the
/// stream's byte budget), decodes it and checks it: the request's head, its stream and its
/// body's length; `None` if the stream was reset or the head is malformed.
fn first_frame(
    mut resolver: Resolver,
    header_read_timeout: Option<Duration>,
    peer_addr: SocketAddr,
) -> impl Future<Output = Option<(Request<()>, H3RequestStream, Option<u64>)>> {
    use h3::error::Code;

    /// How the wait for the first frame ended, when it did not give one.
    enum NoFrame {
        OverBudget,
        TimedOut,
    }

    async move {
        let frame = {
            // Until it is whole, the frame is buffered, up to `max_header_size`.
            let mut first_frame = pin!(poll_fn(|cx| {
                match reading_fields(|| resolver.frame_stream.poll_next(cx)) {
                    (polled, false) => polled.map(Ok),
                    (_, true) => Poll::Ready(Err(NoFrame::OverBudget)),
                }
            }));
            // A head is most often whole when its stream is accepted: the clock is read and a
            // timer set only for one that is not.
            match poll_fn(|cx| Poll::Ready(first_frame.as_mut().poll(cx))).await {
                Poll::Ready(frame) => frame,
                Poll::Pending => match header_read_timeout {
                    Some(timeout) => tokio::time::timeout(timeout, first_frame)
                        .await
                        .unwrap_or(Err(NoFrame::TimedOut)),
                    None => first_frame.await,
                },
            }
        };
        let frame = match frame {
            Ok(frame) => frame,
            // See `BoundedConnection`.
            Err(NoFrame::OverBudget) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 request head over its byte budget");
                reject_head(resolver, Code::H3_EXCESSIVE_LOAD);
                return None;
            }
            Err(NoFrame::TimedOut) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 request head timed out");
                // Nothing was processed: the client may safely retry.
                reject_head(resolver, Code::H3_REQUEST_REJECTED);
                return None;
            }
        };
        match resolver.accept_with_frame(frame) {
            Ok(resolved) => checked_head(|| resolved.resolve(), peer_addr),
            Err(error) => {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 request head failed");
                None
            }
        }
    }
}

/// Finishes decoding the request's head, whose frame h3 holds whole, and checks it is well
/// formed (RFC 9114 §4.1.2, §4.2): the head and its stream, or `None` when the stream failed.
///
/// h3's future for this step is ready at its first poll — it awaits only to answer 431 to a
/// head over `max_header_size` — and takes 1.4 KiB: it is made and polled once here, in this
/// call's frame, rather than kept in the request's task, which would hold its room for the
/// task's life and copy it on each move. A 431 that cannot be sent at once (its client gave the
/// stream no room for it, or the connection has none left) is not waited for: the stream is
/// reset with `H3_EXCESSIVE_LOAD` (see [`sending_at_once`]).
fn checked_head<R>(
    resolve: impl FnOnce() -> R,
    peer_addr: SocketAddr,
) -> Option<(Request<()>, H3RequestStream, Option<u64>)>
where
    R: Future<Output = Result<(Request<()>, H3RequestStream), h3::error::StreamError>>,
{
    use h3::error::Code;

    let resolving = pin!(resolve());
    // Nothing waits to be woken: the future is dropped if it is not ready.
    let polled = sending_at_once(|| resolving.poll(&mut Context::from_waker(Waker::noop())));
    let (request, mut stream) = match polled {
        Poll::Ready(Ok(resolved)) => resolved,
        Poll::Ready(Err(error)) => {
            tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 request head failed");
            return None;
        }
        // Not with h3 0.0.8, whose only wait here is the 431's write, which `sending_at_once`
        // turns into a reset; should a later h3 wait for something else, the stream is dropped.
        Poll::Pending => {
            tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 request head not resolved at once");
            return None;
        }
    };
    // A malformed request is a stream error of type H3_MESSAGE_ERROR. An app that forwards
    // requests to an HTTP/1 upstream would otherwise be open to smuggling.
    match checked_length(request.headers()) {
        Ok(length) => Some((request, stream, length)),
        Err(field) => {
            tracing::debug!(target: "silent_tower::serve", %peer_addr, field, "malformed HTTP/3 request");
            stream.stop_stream(Code::H3_MESSAGE_ERROR);
            stream.stop_sending(Code::H3_MESSAGE_ERROR);
            None
        }
    }
}

/// What sending a response needs besides the response.
struct Answer {
    send: H3SendStream,
    is_head: bool,
    /// Set by the request's body when its data did not add up to its `content-length`.
    malformed_body: Option<Arc<AtomicBool>>,
    peer_addr: SocketAddr,
    activity: Arc<Activity>,
    /// The request is in flight until its response is sent.
    _in_flight: InFlight,
}

impl Answer {
    fn body_was_malformed(&self) -> bool {
        self.malformed_body
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    /// Sends `response`, or resets the stream with the code that says why not. (Not an `async
    /// fn`, which would keep room for its arguments twice.)
    fn send<B>(mut self, response: Result<Response<B>, BoxError>) -> impl Future<Output = ()>
    where
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        use h3::error::Code;

        async move {
            let peer_addr = self.peer_addr;
            if self.body_was_malformed() {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, "HTTP/3 request body does not match its content-length");
                self.send.stop_stream(Code::H3_MESSAGE_ERROR);
                return;
            }
            let result = match response {
                Ok(response) => {
                    send_response(&mut self.send, response, self.is_head, &self.activity).await
                }
                Err(error) => Err(error),
            };
            if let Err(error) = result {
                tracing::debug!(target: "silent_tower::serve", %peer_addr, %error, "HTTP/3 request failed");
                // The client must not take a cut-off response for a whole one.
                let code = if self.body_was_malformed() {
                    Code::H3_MESSAGE_ERROR
                } else {
                    Code::H3_INTERNAL_ERROR
                };
                self.send.stop_stream(code);
            }
        }
    }
}

/// Sends the head, then the body's data frames as they come, then its trailers, then the end.
fn send_response<'a, B>(
    send: &'a mut H3SendStream,
    response: Response<B>,
    is_head: bool,
    activity: &'a Activity,
) -> impl Future<Output = Result<(), BoxError>> + 'a
where
    B: http_body::Body + 'a,
    B::Error: Into<BoxError>,
{
    let (mut parts, body) = response.into_parts();
    // Connection-specific fields mean nothing in HTTP/3, and make the response malformed. One
    // pass finds them (most responses have none), not a look-up per name.
    if parts
        .headers
        .keys()
        .any(|name| connection_specific(name).is_some())
    {
        for name in CONNECTION_SPECIFIC {
            parts.headers.remove(name);
        }
    }
    let status = parts.status;
    let no_content = status.is_informational()
        || status == http::StatusCode::NO_CONTENT
        || status == http::StatusCode::NOT_MODIFIED;
    // What the client will hold the body to: as hyper does on TCP, a body that disagrees with
    // its `content-length` is cut (the caller resets the stream) rather than sent malformed.
    // And as hyper does, a body of known length says so when the service did not, unless it has
    // no body to measure. (A `content-length` that is not one number is sent as it is, unheld.)
    let mut promised = match content_length(&parts.headers) {
        Ok(Some(length)) => Some(length),
        Err(()) => None,
        Ok(None) if is_head || no_content => None,
        Ok(None) => body.size_hint().exact().inspect(|&length| {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, http::HeaderValue::from(length));
        }),
    };
    async move {
        send.send_response(Response::from_parts(parts, ())).await?;
        // A response to HEAD, a 204 and a 304 have no content (RFC 9110 §6.4.1), whatever the
        // service's body holds: it is dropped unread, as hyper does on TCP.
        if is_head || no_content {
            drop(body);
            send.finish().await?;
            return Ok(());
        }
        let mut body = pin!(body);
        loop {
            let frame = match poll_fn(|cx| Pin::as_mut(&mut body).poll_frame(cx)).await {
                Some(frame) => frame.map_err(Into::into)?,
                None => break,
            };
            match frame.into_data() {
                Ok(mut data) => {
                    if data.has_remaining() {
                        if let Some(left) = &mut promised {
                            *left = left
                                .checked_sub(data.remaining() as u64)
                                .ok_or("the response body is longer than its content-length")?;
                        }
                        send.send_data(data.copy_to_bytes(data.remaining())).await?;
                        activity.wrote_bytes();
                    }
                }
                Err(frame) => {
                    if let Ok(trailers) = frame.into_trailers() {
                        send.send_trailers(trailers).await?;
                    }
                }
            }
        }
        if promised.is_some_and(|left| left > 0) {
            return Err("the response body is shorter than its content-length".into());
        }
        send.finish().await?;
        Ok(())
    }
}
