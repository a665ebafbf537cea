//! What the load servers share: the arguments, one current-thread runtime.

use std::net::SocketAddr;

/// The scenario and port a server is started with: `server-x SCENARIO PORT`.
pub struct Args {
    /// `A` (plaintext), `B` (param + query → JSON), `C-static`, `C-param`.
    pub scenario: String,
    /// Where to listen, on loopback.
    pub addr: SocketAddr,
}

/// Reads `SCENARIO PORT` from the command line.
pub fn args() -> Args {
    let mut args = std::env::args().skip(1);
    let scenario = args.next().expect("usage: server SCENARIO PORT");
    let port: u16 = args
        .next()
        .and_then(|port| port.parse().ok())
        .expect("usage: server SCENARIO PORT");
    Args {
        scenario,
        addr: ([127, 0, 0, 1], port).into(),
    }
}

/// One thread serves everything: the load test pins the server to one core.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime")
}

/// Says which scenario is unknown and exits.
pub fn unknown(scenario: &str) -> ! {
    eprintln!("unknown scenario {scenario:?}: A, B, C-static or C-param");
    std::process::exit(2)
}
