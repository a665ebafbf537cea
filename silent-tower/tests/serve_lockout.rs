//! One client holding `max_connections` idle HTTP/2 connections must not lock the others out.
//!
//! The idle connections are opened by a second process (this test binary, run again with
//! `LOCKOUT_CLIENT_OF` set), because one process holding both ends of 10 000 loopback
//! connections needs 20 000 file descriptors, over the limit of many test machines.
#![cfg(feature = "http2")]

use std::convert::Infallible;
use std::future::IntoFuture;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// `serve`'s default `max_connections`, all held by the idle client.
const IDLE_CONNECTIONS: usize = 10_000;
/// The environment variable that makes this test the idle client, of the server at its value.
const CLIENT_OF: &str = "LOCKOUT_CLIENT_OF";

/// Opens one h2c connection, sends the preface and an empty SETTINGS, and waits for the
/// server's SETTINGS: the server has accepted it and serves it. Then it stays open, silent.
async fn idle_http2(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0")
        .await
        .unwrap();
    let mut header = [0; 9];
    stream.read_exact(&mut header).await.unwrap();
    assert_eq!(header[3], 4, "the server's first frame is SETTINGS");
    stream
}

/// The idle client: opens the connections, says `ready`, and holds them until stdin closes.
fn run_idle_client(addr: SocketAddr) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut held = Vec::with_capacity(IDLE_CONNECTIONS);
        // In batches, so as not to overflow the listen backlog.
        for _ in 0..IDLE_CONNECTIONS / 500 {
            let mut connecting = JoinSet::new();
            for _ in 0..500 {
                connecting.spawn(idle_http2(addr));
            }
            while let Some(stream) = connecting.join_next().await {
                held.push(stream.unwrap());
            }
        }
        // Straight to the process's stdout: the test harness would capture `println!`.
        let mut stdout = std::io::stdout();
        writeln!(stdout, "ready {}", held.len()).unwrap();
        stdout.flush().unwrap();
        // Hold them until the test is done with us.
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        })
        .await
        .unwrap();
        drop(held);
    });
}

#[test]
fn ten_thousand_idle_http2_connections_do_not_lock_out_a_new_client() {
    if let Ok(addr) = std::env::var(CLIENT_OF) {
        return run_idle_client(addr.parse().unwrap());
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = tower::service_fn(|_request: Request<Incoming>| async {
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"answered"))))
    });
    // Every default, `max_connections` (10 000) included.
    let _server = runtime.spawn(silent_tower::serve(listener, app).into_future());

    let mut client = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "ten_thousand_idle_http2_connections_do_not_lock_out_a_new_client",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CLIENT_OF, addr.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(client.stdout.take().unwrap());
    let mut client = KillOnDrop(client);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // The harness may have started the line with the test's name. Read to the end, so
        // that the client's last words do not meet a closed pipe.
        let mut ready = None;
        for line in stdout.lines().map_while(Result::ok) {
            if let Some((_, count)) = line.split_once("ready ") {
                ready = Some(count.to_owned());
                let _ = ready_tx.send(ready.clone());
            }
        }
        if ready.is_none() {
            let _ = ready_tx.send(None);
        }
    });
    let ready = ready_rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the idle client opens its connections within two minutes");
    assert_eq!(
        ready,
        Some(IDLE_CONNECTIONS.to_string()),
        "the idle client did not open its connections"
    );

    // The server is at its cap, every connection idle. Another client asks for a page.
    let answered = runtime.block_on(async {
        let started = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(1), async {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream
                .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .await
                .unwrap();
            let mut response = Vec::new();
            stream.read_to_end(&mut response).await.unwrap();
            String::from_utf8(response).unwrap()
        })
        .await;
        (answer, started.elapsed())
    });
    drop(client.0.stdin.take());
    let _ = client.0.wait();
    let (answer, elapsed) = answered;
    let answer = answer.unwrap_or_else(|_| panic!("no answer within a second ({elapsed:?})"));
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nanswered"), "{answer}");
}

/// The idle client's process, killed if the test ends before it is done with it.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
