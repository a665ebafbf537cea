//! An HTTP/3 load generator: one QUIC connection, `STREAMS` requests in flight (`GET /`), for
//! `WARMUP` seconds unmeasured and then `SECONDS` measured; prints the requests per second.
//!
//! `h3-load PORT CERT_DIR SECONDS [STREAMS=100] [WARMUP=1]` — the server on 127.0.0.1:PORT must
//! present `CERT_DIR/cert.pem` (for `localhost`). Every response is checked: status 200 and a
//! 13-byte body; anything else counts as an error.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Buf, Bytes};
use http::{Request, StatusCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use silent_tower_benches::data::HELLO;
use silent_tower_load::runtime;

type SendRequest = h3::client::SendRequest<h3_quinn::OpenStreams, Bytes>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Default)]
struct Counters {
    stop: AtomicBool,
    done: AtomicU64,
    errors: AtomicU64,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: h3-load PORT CERT_DIR SECONDS [STREAMS] [WARMUP]";
    let port: u16 = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let dir = std::path::PathBuf::from(args.next().expect(usage));
    let seconds: f64 = args.next().and_then(|a| a.parse().ok()).expect(usage);
    let streams: usize = args.next().map_or(100, |a| a.parse().expect(usage));
    let warmup: f64 = args.next().map_or(1.0, |a| a.parse().expect(usage));

    let cert = CertificateDer::from_pem_file(dir.join("cert.pem")).expect("CERT_DIR/cert.pem");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert).expect("a certificate to trust");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .expect("TLS 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h3".to_vec()];
    let tls = quinn::crypto::rustls::QuicClientConfig::try_from(tls).expect("a QUIC client");

    runtime().block_on(async move {
        let mut endpoint = quinn::Endpoint::client(([127, 0, 0, 1], 0).into()).unwrap();
        endpoint.set_default_client_config(quinn::ClientConfig::new(Arc::new(tls)));
        let quic = endpoint
            .connect(([127, 0, 0, 1], port).into(), "localhost")
            .unwrap()
            .await
            .expect("the QUIC handshake");
        let (mut driver, sender) = h3::client::new(h3_quinn::Connection::new(quic.clone()))
            .await
            .expect("an HTTP/3 connection");
        let driver = tokio::spawn(async move { poll_fn(|cx| driver.poll_close(cx)).await });

        let counters = Arc::new(Counters::default());
        let workers: Vec<_> = (0..streams)
            .map(|_| tokio::spawn(worker(sender.clone(), Arc::clone(&counters))))
            .collect();
        drop(sender);
        tokio::time::sleep(Duration::from_secs_f64(warmup)).await;
        let (start, before) = (Instant::now(), counters.done.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        let (elapsed, after) = (start.elapsed(), counters.done.load(Ordering::Relaxed));
        counters.stop.store(true, Ordering::Relaxed);
        for worker in workers {
            let _ = worker.await;
        }
        let requests = after - before;
        println!("requests: {requests} in {:.3} s", elapsed.as_secs_f64());
        // Warm-up included: what the server answered, for a per-request instruction count.
        println!("answered: {}", counters.done.load(Ordering::Relaxed));
        println!("errors: {}", counters.errors.load(Ordering::Relaxed));
        println!(
            "Requests/sec: {:.2}",
            requests as f64 / elapsed.as_secs_f64()
        );
        quic.close(quinn::VarInt::from_u32(0x100), b"");
        driver.abort();
        endpoint.wait_idle().await;
    });
}

/// One stream after another, until told to stop.
async fn worker(mut sender: SendRequest, counters: Arc<Counters>) {
    while !counters.stop.load(Ordering::Relaxed) {
        match get(&mut sender).await {
            Ok(()) => counters.done.fetch_add(1, Ordering::Relaxed),
            Err(error) => {
                if counters.errors.fetch_add(1, Ordering::Relaxed) == 0 {
                    eprintln!("first error: {error}");
                }
                // A broken connection fails every request at once: do not spin.
                tokio::time::sleep(Duration::from_millis(10)).await;
                0
            }
        };
    }
}

async fn get(sender: &mut SendRequest) -> Result<(), BoxError> {
    let request = Request::get("https://localhost/").body(())?;
    let mut stream = sender.send_request(request).await?;
    stream.finish().await?;
    let response = stream.recv_response().await?;
    if response.status() != StatusCode::OK {
        return Err(format!("status {}", response.status()).into());
    }
    let mut length = 0;
    while let Some(mut data) = stream.recv_data().await? {
        length += data.remaining();
        data.advance(data.remaining());
    }
    if length != HELLO.len() {
        return Err(format!("a body of {length} bytes").into());
    }
    Ok(())
}
