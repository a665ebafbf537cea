use silent_tower::extract::multipart::{Multipart, MultipartError};
use silent_tower::prelude::*;
use tokio::net::TcpListener;

async fn upload(mut multipart: Multipart) -> Result<String, MultipartError> {
    // Fields are read as they arrive; a file is held whole only if the handler asks.
    let mut report = String::new();
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let size = field.bytes().await?.len();
                report += &format!("{name}: {file_name}, {size} bytes\n");
            }
            None => report += &format!("{name} = {}\n", field.text().await?),
        }
    }
    Ok(report)
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    // The whole upload at most 1 MiB (the router's body limit is 2 MiB unless set).
    let app = Router::new().route("/upload", post(upload).body_limit(1024 * 1024));
    serve(listener, app).await
}
