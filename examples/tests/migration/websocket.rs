use silent_tower::prelude::*;
use tokio::net::TcpListener;

async fn echo(mut socket: WebSocket) {
    // Pings are answered for you; a close, or a broken connection, ends the loop.
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, Message::Text(_) | Message::Binary(_))
            && socket.send(message).await.is_err()
        {
            break;
        }
    }
}

pub async fn run(listener: TcpListener) -> std::io::Result<()> {
    let app = Router::new().route(
        "/ws",
        get(|ws: WebSocketUpgrade| async move { ws.on_upgrade(echo) }),
    );
    serve(listener, app).await
}
