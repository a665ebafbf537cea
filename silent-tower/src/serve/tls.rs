//! The TLS settings of a server, swappable while it runs.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock};

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The TLS configuration [`Serve::tls`](super::Serve::tls) serves with: a shared handle to a
/// [`rustls::ServerConfig`] that can be replaced while the server runs.
///
/// Clones share one configuration. The server reads it once per accepted connection, when the
/// TLS handshake starts, so after [`reload_from_pem_files`](Self::reload_from_pem_files) or
/// [`set_server_config`](Self::set_server_config) returns, every new connection gets the new
/// certificate; connections already open keep the one they were accepted with. Keep a clone,
/// give the other to [`Serve::tls`](super::Serve::tls), and swap certificates without a restart:
///
/// ```no_run
/// use silent_tower::serve::TlsConfig;
///
/// # async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
/// let tls = TlsConfig::from_pem_files("cert.pem", "key.pem")?;
/// let reloader = tls.clone();
/// tokio::spawn(async move {
///     let mut hangups =
///         tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).unwrap();
///     while hangups.recv().await.is_some() {
///         if let Err(error) = reloader.reload_from_pem_files("cert.pem", "key.pem") {
///             eprintln!("keeping the old certificate: {error}");
///         }
///     }
/// });
/// let app = silent_tower::Router::new();
/// silent_tower::serve(listener, app).tls(tls).await
/// # }
/// ```
///
/// With the `http3` feature, `Serve::http3` serves QUIC with the same configuration (ALPN set to
/// `h3` there), read once per QUIC connection too, so a swap applies to both.
///
/// Configurations made from PEM use rustls's `ring` crypto provider, its safe default protocol
/// versions (TLS 1.2 and 1.3), no client authentication, and offer the ALPN protocols `h2`
/// (when the `http2` feature is on) and `http/1.1`.
#[derive(Clone)]
pub struct TlsConfig {
    current: Arc<RwLock<Arc<ServerConfig>>>,
}

impl TlsConfig {
    /// Reads a certificate chain and a private key from PEM files.
    ///
    /// `cert` holds the chain, leaf first; `key` one private key (PKCS#8, PKCS#1 or SEC1).
    /// Fails with [`io::ErrorKind::InvalidData`] when either does not parse or they do not match.
    pub fn from_pem_files(cert: impl AsRef<Path>, key: impl AsRef<Path>) -> io::Result<Self> {
        Ok(Self::from_server_config(config_from_pem_files(
            cert.as_ref(),
            key.as_ref(),
        )?))
    }

    /// Like [`from_pem_files`](Self::from_pem_files), from PEM text in memory.
    pub fn from_pem(cert: &[u8], key: &[u8]) -> io::Result<Self> {
        Ok(Self::from_server_config(config_from_pem(cert, key)?))
    }

    /// Serves with a [`rustls::ServerConfig`] you built.
    ///
    /// If its `alpn_protocols` is empty, it is set to `h2` (with the `http2` feature) and
    /// `http/1.1`, so that clients can choose HTTP/2; a list you set is kept as it is. Without
    /// ALPN, the protocol is told from the client's first bytes, as on a plain connection.
    pub fn from_server_config(config: impl Into<Arc<ServerConfig>>) -> Self {
        Self {
            current: Arc::new(RwLock::new(with_alpn(config.into()))),
        }
    }

    /// Replaces the certificate and key with those in the PEM files, for new connections.
    ///
    /// On error the configuration in use is kept.
    pub fn reload_from_pem_files(
        &self,
        cert: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> io::Result<()> {
        self.set_server_config(config_from_pem_files(cert.as_ref(), key.as_ref())?);
        Ok(())
    }

    /// Replaces the certificate and key with those in the PEM text, for new connections.
    pub fn reload_from_pem(&self, cert: &[u8], key: &[u8]) -> io::Result<()> {
        self.set_server_config(config_from_pem(cert, key)?);
        Ok(())
    }

    /// Replaces the whole configuration, for new connections (ALPN as in
    /// [`from_server_config`](Self::from_server_config)).
    pub fn set_server_config(&self, config: impl Into<Arc<ServerConfig>>) {
        let config = with_alpn(config.into());
        // A panic elsewhere while holding the lock cannot leave an `Arc` half-written.
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = config;
    }

    /// The configuration new connections are served with now.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("alpn_protocols", &self.server_config().alpn_protocols)
            .finish_non_exhaustive()
    }
}

/// The ALPN protocols offered when the user did not choose: the best first.
fn default_alpn() -> Vec<Vec<u8>> {
    let mut protocols = Vec::new();
    if cfg!(feature = "http2") {
        protocols.push(b"h2".to_vec());
    }
    protocols.push(b"http/1.1".to_vec());
    protocols
}

fn with_alpn(config: Arc<ServerConfig>) -> Arc<ServerConfig> {
    if !config.alpn_protocols.is_empty() {
        return config;
    }
    let mut config = Arc::unwrap_or_clone(config);
    config.alpn_protocols = default_alpn();
    Arc::new(config)
}

fn config_from_pem_files(cert: &Path, key: &Path) -> io::Result<ServerConfig> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|error| {
            io::Error::new(error.kind(), format!("reading {}: {error}", path.display()))
        })
    };
    config_from_pem(&read(cert)?, &read(key)?)
}

fn config_from_pem(cert: &[u8], key: &[u8]) -> io::Result<ServerConfig> {
    let chain = CertificateDer::pem_slice_iter(cert)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| invalid(format!("certificate PEM: {error}")))?;
    if chain.is_empty() {
        return Err(invalid("certificate PEM: no CERTIFICATE block".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key)
        .map_err(|error| invalid(format!("private key PEM: {error}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| invalid(error.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| invalid(format!("certificate and key: {error}")))?;
    config.alpn_protocols = default_alpn();
    Ok(config)
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}
