//! An argument that is not an extractor, before the last or last: the error names its position
//! and type.

use silent_tower_router::debug_handler;
use silent_tower_router::extract::Path;

#[debug_handler]
async fn number_first(id: u32, Path(name): Path<String>) -> String {
    format!("{name} {id}")
}

#[debug_handler]
async fn number_last(Path(name): Path<String>, id: u32) -> String {
    format!("{name} {id}")
}

fn main() {}
