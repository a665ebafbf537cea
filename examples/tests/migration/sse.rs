use std::convert::Infallible;

use futures_util::StreamExt;
use serde::Deserialize;
use silent_tower::prelude::*;
use silent_tower::sse::{Event, KeepAlive};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

type Chat = broadcast::Sender<String>;

#[derive(Deserialize)]
struct Say {
    msg: String,
}

async fn listen(State(chat): State<Chat>) -> impl IntoResponse {
    let messages = BroadcastStream::new(chat.subscribe());
    // A client too slow to keep up misses messages rather than holding the others back.
    let events = messages.filter_map(|msg| async move {
        msg.ok()
            .map(|msg| Ok::<_, Infallible>(Event::default().data(msg)))
    });
    Sse::new(events).keep_alive(KeepAlive::new())
}

async fn say(State(chat): State<Chat>, Json(Say { msg }): Json<Say>) -> StatusCode {
    // Nobody listening is not an error.
    let _ = chat.send(msg);
    StatusCode::NO_CONTENT
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let chat: Chat = broadcast::channel(64).0;
    let app = Router::new()
        .route("/chat", get(listen).post(say))
        .with_state(chat);
    serve(listener, app).await
}
