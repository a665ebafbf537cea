//! silent-tower measured against its peers: bare hyper, axum 0.8 with tower-http, silent 2.16 and
//! matchit — the same apps, the same handlers, the same requests.
//!
//! The apps live in one module per peer ([`ours`], [`axum_peer`], [`silent_peer`],
//! [`hyper_peer`]); [`cases`] names every stack for the allocation and instruction counters;
//! [`drive`] runs a future without a runtime loop; [`data`] reads the shared route table;
//! [`extractors`] holds scenario B-extractors' request and types, shared by ours and axum;
//! [`composition`] the app of the composition cases (state, `FromRef`, middleware functions). The
//! criterion benches are in `benches/benches/`, the binaries in `benches/src/bin/`, the load
//! test in `benches/load/`. `BENCHMARKS.md` at the repository root holds the results.

pub mod axum_peer;
pub mod cases;
pub mod composition;
pub mod data;
pub mod drive;
pub mod extractors;
pub mod github_routes;
pub mod hyper_peer;
pub mod ours;
pub mod silent_peer;

/// The request body every tower peer is called with, but in B-extractors.
pub type ReqBody = http_body_util::Empty<bytes::Bytes>;
