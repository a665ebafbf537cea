// `Path<T>` hands the handler a value it owns: a `T` that borrows from the request (`&str`)
// is refused at compile time, as in axum. A `Deserialize` that borrows the text only while it
// runs is fine (see tests/path_extract.rs).
use silent_tower_router::extract::Path;
use silent_tower_router::{get, Router};

async fn borrowed(Path(name): Path<&str>) -> String {
    name.to_owned()
}

fn main() {
    let _ = Router::<()>::new().route("/{name}", get(borrowed));
}
