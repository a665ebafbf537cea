//! hyper's connection builders, configured once per server from [`Config`].
//!
//! With the `http2` feature, hyper-util's `auto` builder serves both protocols; without it,
//! hyper's HTTP/1 builder alone, so that neither crate's HTTP/2 code is built.

use hyper_util::rt::TokioTimer;

use super::Config;

/// Which protocol a connection speaks, when known before its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Protocol {
    /// Told from the client's first bytes: the HTTP/2 preface or not.
    Detect,
    /// Chosen by ALPN.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    Http1,
    /// Chosen by ALPN.
    #[cfg_attr(not(all(feature = "tls", feature = "http2")), allow(dead_code))]
    Http2,
}

impl Protocol {
    /// The protocol the TLS handshake agreed on; with no ALPN, detection as on plain TCP.
    #[cfg(feature = "tls")]
    pub(super) fn from_alpn(alpn: Option<&[u8]>) -> Self {
        match alpn {
            Some(b"h2") => Self::Http2,
            Some(b"http/1.1") => Self::Http1,
            _ => Self::Detect,
        }
    }
}

#[cfg(feature = "http2")]
pub(super) struct Builders {
    detect: hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    http1: hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
    http2: hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>,
}

#[cfg(feature = "http2")]
impl Builders {
    pub(super) fn new(config: &Config) -> Self {
        use hyper_util::rt::TokioExecutor;
        use hyper_util::server::conn::auto::Builder;

        let mut builder = Builder::new(TokioExecutor::new());
        configure_http1(&mut builder.http1(), config);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(config.http2_max_concurrent_streams)
            .max_header_list_size(u32::try_from(config.max_header_size).unwrap_or(u32::MAX))
            // RFC 8441 extended CONNECT, which WebSocket over HTTP/2 needs.
            .enable_connect_protocol();
        Self {
            http1: builder.clone().http1_only(),
            http2: builder.clone().http2_only(),
            detect: builder,
        }
    }

    pub(super) fn get(
        &self,
        protocol: Protocol,
    ) -> &hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor> {
        match protocol {
            Protocol::Detect => &self.detect,
            Protocol::Http1 => &self.http1,
            Protocol::Http2 => &self.http2,
        }
    }
}

#[cfg(not(feature = "http2"))]
pub(super) struct Builders {
    pub(super) http1: hyper::server::conn::http1::Builder,
}

#[cfg(not(feature = "http2"))]
impl Builders {
    pub(super) fn new(config: &Config) -> Self {
        let mut http1 = hyper::server::conn::http1::Builder::new();
        configure_http1(&mut http1, config);
        Self { http1 }
    }
}

/// The HTTP/1 settings, on either builder.
macro_rules! configure_http1_on {
    ($builder:expr, $config:expr) => {
        $builder
            .timer(TokioTimer::new())
            // Kept by the task serving the connection instead, with one timer per connection
            // where hyper arms one per request head (`connection::next_head_deadline`).
            .header_read_timeout(None)
            .keep_alive($config.keep_alive)
            .max_buf_size($config.max_header_size)
            .max_headers($config.max_headers)
    };
}

#[cfg(feature = "http2")]
fn configure_http1(
    builder: &mut hyper_util::server::conn::auto::Http1Builder<'_, hyper_util::rt::TokioExecutor>,
    config: &Config,
) {
    configure_http1_on!(builder, config);
}

#[cfg(not(feature = "http2"))]
fn configure_http1(builder: &mut hyper::server::conn::http1::Builder, config: &Config) {
    configure_http1_on!(builder, config);
}
