//! silent 2.16: the scenario's route served by silent's own `Server`.

use silent::prelude::Server;
use silent_tower_benches::silent_peer;
use silent_tower_load::{args, runtime, unknown};

fn main() {
    let args = args();
    let route = match args.scenario.as_str() {
        "A" => silent_peer::plaintext(),
        "B" => silent_peer::user_json(),
        "C-static" => silent_peer::deep_static(),
        "C-param" => silent_peer::deep_param(),
        other => unknown(other),
    };
    runtime().block_on(Server::new().bind(args.addr).serve(route));
}
