use silent_tower_router::{get, Router};

async fn takes_a_number(id: u32) -> String {
    id.to_string()
}

fn main() {
    let _ = Router::new().route("/", get(takes_a_number));
}
