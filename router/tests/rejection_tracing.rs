//! Every rejection is logged at debug level, on the documented target, with its status, kind
//! and message. In a test binary of its own: `tracing` caches, per event callsite, whether any
//! subscriber wants it, and a test on another thread that met the callsite first, with no
//! subscriber, could leave "no" cached for this one's.

use std::sync::{Arc, Mutex};

use http::{Request, StatusCode};
use silent_tower_router::{get, ParamError, RequestExt, Router};
use tower::ServiceExt;

async fn typed(req: Request<()>) -> Result<String, ParamError> {
    Ok(format!("item {}", req.param::<i64>("id")?))
}

fn routes() -> Router<(), ()> {
    Router::<(), ()>::with_body().route("/items/{id}", get(typed))
}

/// An event: its target and its fields, as `name=value` strings.
type Seen = (String, Vec<String>);

/// Every debug event seen.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Seen>>>);

struct Fields(Vec<String>);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={:?}", field.name(), value));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push(format!("{}={}", field.name(), value));
    }
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.0.push(format!("{}={}", field.name(), value));
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        let level_ok = *event.metadata().level() == tracing::Level::DEBUG;
        if level_ok {
            let target = event.metadata().target().to_owned();
            self.0.lock().unwrap().push((target, fields.0));
        }
    }
}

#[test]
fn each_rejection_is_logged_at_debug_with_status_kind_and_message() {
    use tracing_subscriber::layer::SubscriberExt;
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let response = routes()
                .oneshot(Request::get("/items/abc").body(()).unwrap())
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        })
    });
    let events = capture.0.lock().unwrap();
    let rejections: Vec<_> = events
        .iter()
        .filter(|(target, _)| target == "silent_tower::rejection")
        .collect();
    assert_eq!(rejections.len(), 1, "{events:?}");
    let fields = &rejections[0].1;
    assert!(fields.contains(&"status=400".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"kind=param_invalid".to_owned()),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"message=path parameter `id` is not a valid integer (i64)".to_owned()),
        "{fields:?}"
    );
}
