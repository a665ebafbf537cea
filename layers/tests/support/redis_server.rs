//! A `redis-server` (Debian's `redis-server` package, which `.ci/test` installs) of a test's own,
//! on a free loopback port, without persistence, killed when dropped. Include it with
//! `#[path = "support/redis_server.rs"] mod redis_server;` (from another crate's tests, with the
//! path from there). A test that cannot start one fails, naming the package: it never skips.
#![allow(dead_code)]

use std::net::{TcpListener as StdListener, TcpStream as StdStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` of this test's own, killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts one on a free loopback port and waits until it accepts connections. The port is
    /// free when it is chosen, not necessarily when the server binds it (tests run in parallel):
    /// a server that finds it taken exits, and another port is tried.
    pub fn start() -> Self {
        for _ in 0..5 {
            let port = StdListener::bind("127.0.0.1:0")
                .and_then(|listener| listener.local_addr())
                .expect("a free loopback port")
                .port();
            if let Some(server) = Self::try_start_on(port) {
                return server;
            }
        }
        panic!("`redis-server` could not bind a free loopback port in 5 tries")
    }

    /// Starts one on `port` (again, after [`stop`](Self::stop)) and waits until it accepts
    /// connections.
    pub fn start_on(port: u16) -> Self {
        Self::try_start_on(port)
            .unwrap_or_else(|| panic!("`redis-server` could not bind port {port}: it is taken"))
    }

    /// Starts one on `port`; `None` when the port is taken (the server exits, or another
    /// process answers there).
    fn try_start_on(port: u16) -> Option<Self> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start `redis-server` ({error}): these tests need a real Redis; \
                     install Debian's `redis-server` package (`apt-get install redis-server`), \
                     as `.ci/test` does"
                )
            });
        let mut server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(_)) = server.child.try_wait() {
                // Exited at start: the port was taken.
                return None;
            }
            if let Ok(stream) = StdStream::connect(("127.0.0.1", port)) {
                // Whoever answers must be this server, not another test's on the same port.
                return match process_id(stream) {
                    Some(pid) if pid == server.child.id() => Some(server),
                    _ => None,
                };
            }
            assert!(
                Instant::now() < deadline,
                "`redis-server` did not listen on port {port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Sends the process `signal` (`STOP` freezes it with its connections open, `CONT` thaws it).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -{signal}");
    }

    /// Kills it and waits for it to end.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // A frozen server is thawed first, so that it ends as promptly as a running one.
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-CONT", &self.child.id().to_string()])
                .stderr(Stdio::null())
                .status();
        }
        self.stop();
    }
}

/// The `process_id` the Redis server on `stream` reports (`INFO server`).
fn process_id(mut stream: StdStream) -> Option<u32> {
    use std::io::{Read, Write};

    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(b"INFO server\r\n").ok()?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    while !reply.windows(11).any(|window| window == b"process_id:") || !reply.ends_with(b"\r\n") {
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            break;
        }
        reply.extend_from_slice(&chunk[..read]);
    }
    let text = String::from_utf8_lossy(&reply);
    let line = text
        .lines()
        .find_map(|line| line.strip_prefix("process_id:"))?;
    line.trim().parse().ok()
}
