//! Swagger UI judged by a real browser: headless Chromium loads the `openapi` example's
//! `/swagger-ui`, which runs Swagger UI's script (served from the files embedded in the binary),
//! fetches `/api-docs/openapi.json` and renders one block per operation. We read the DOM Chromium
//! dumps and find every operation the document lists, with its method and its path.
//!
//! Chromium: see `browser/mod.rs`. Without it this test fails, saying so.

use std::future::IntoFuture;

use silent_tower_examples::openapi::{self, SWAGGER_UI_PATH};
use tokio::net::TcpListener;

mod browser;
use browser::{chromium, dump_dom};

/// The text between `start` and the next `end` in `text`, from `from` on, and where it ends.
fn between<'a>(text: &'a str, from: usize, start: &str, end: &str) -> Option<(&'a str, usize)> {
    let begin = from + text[from..].find(start)? + start.len();
    let stop = begin + text[begin..].find(end)?;
    Some((&text[begin..stop], stop))
}

/// `(method, path)` of every operation block Swagger UI rendered: the method's label, the path's
/// `data-path`, and the path as shown (Swagger UI puts `<wbr>` after each `/` so it may wrap).
fn rendered_operations(dom: &str) -> Vec<(String, String)> {
    let mut operations = Vec::new();
    let mut at = 0;
    while let Some((method, end)) = between(dom, at, r#"class="opblock-summary-method">"#, "<") {
        let (path, end) = between(dom, end, r#"data-path=""#, r#"""#)
            .unwrap_or_else(|| panic!("no path after the method {method}:\n{dom}"));
        let (shown, end) = between(dom, end, "<span>", "</span>")
            .unwrap_or_else(|| panic!("no path shown for {method} {path}:\n{dom}"));
        assert_eq!(shown.replace("<wbr>", ""), path, "{method} {path} as shown");
        operations.push((method.to_owned(), path.replace("&amp;", "&")));
        at = end;
    }
    operations.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    operations
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_shows_every_operation_of_the_document_in_swagger_ui() {
    let chromium = chromium();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(silent_tower::serve(listener, openapi::app()).into_future());

    let started = std::time::Instant::now();
    let dom = dump_dom(
        &chromium,
        format!("http://{addr}{SWAGGER_UI_PATH}"),
        "swagger-ui",
    )
    .await;
    let took = started.elapsed();

    // Swagger UI rendered the document's title, so it read our document, not an example one.
    assert!(
        dom.contains(r#"<h1 class="title">Todos<"#),
        "no \"Todos\" title in the DOM:\n{dom}"
    );
    let expected: Vec<(String, String)> = openapi::operations()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path))
        .collect();
    assert_eq!(expected.len(), 4, "{expected:?}");
    assert_eq!(rendered_operations(&dom), expected);

    eprintln!("Swagger UI's page load in headless Chromium took {took:?}");
}
