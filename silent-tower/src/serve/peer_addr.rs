use std::net::SocketAddr;
use std::task::{Context, Poll};

use http::Request;
use silent_tower_router::extract::ConnectInfo;
use tower_service::Service;

// One type for the peer address across the workspace: the request logger (which cannot depend
// on this crate) defines it, `serve` inserts it.
pub use silent_tower_layers::request_time_logger::PeerAddr;

/// Inserts the connection's [`PeerAddr`] (for the request logger and the rate limiter) and its
/// `ConnectInfo<SocketAddr>` (for handlers, as in axum) into every request before calling the
/// inner service.
///
/// One per connection; the address is known when the connection is accepted.
#[derive(Clone, Debug)]
pub(crate) struct AddPeerAddr<S> {
    inner: S,
    peer_addr: PeerAddr,
}

impl<S> AddPeerAddr<S> {
    pub(crate) fn new(inner: S, peer_addr: SocketAddr) -> Self {
        Self {
            inner,
            peer_addr: PeerAddr(peer_addr),
        }
    }
}

impl<S, ReqBody> Service<Request<ReqBody>> for AddPeerAddr<S>
where
    S: Service<Request<ReqBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let extensions = request.extensions_mut();
        extensions.insert(self.peer_addr);
        extensions.insert(ConnectInfo(self.peer_addr.0));
        self.inner.call(request)
    }
}
