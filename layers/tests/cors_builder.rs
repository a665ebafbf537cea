//! What the `CorsLayer` builder refuses when it is built, and what its messages tell the user
//! to write instead: origins no browser sends, and `null` with credentials.

use silent_tower_layers::cors::{CorsError, CorsLayer};

/// The reason the builder gives for refusing `origin`.
fn refusal(origin: &str) -> String {
    match CorsLayer::new().try_origin(origin) {
        Err(CorsError::InvalidOrigin {
            origin: bad,
            reason,
        }) => {
            assert_eq!(bad, origin);
            reason.into_owned()
        }
        other => panic!("{origin}: expected InvalidOrigin, got {other:?}"),
    }
}

#[test]
fn default_ports_are_refused_with_the_origin_to_write() {
    for (origin, reason) in [
        (
            "https://a.example:443",
            "browsers never send the default port 443 in `Origin`: write `https://a.example`",
        ),
        (
            "http://a.example:80",
            "browsers never send the default port 80 in `Origin`: write `http://a.example`",
        ),
        (
            "wss://a.example:443",
            "browsers never send the default port 443 in `Origin`: write `wss://a.example`",
        ),
        (
            "http://[::1]:80",
            "browsers never send the default port 80 in `Origin`: write `http://[::1]`",
        ),
        (
            "https://a.example:0443",
            "browsers never send the default port 443 in `Origin`: write `https://a.example`",
        ),
    ] {
        assert_eq!(refusal(origin), reason, "{origin}");
    }
    // Other ports are kept, as browsers send them.
    for origin in [
        "https://a.example:80",
        "http://a.example:443",
        "https://a.example:8443",
        "http://[::1]:3000",
        "http://127.0.0.1:8080",
        "https://a.example.",
    ] {
        assert!(CorsLayer::new().try_origin(origin).is_ok(), "{origin}");
    }
}

#[test]
fn malformed_authorities_are_refused() {
    for (origin, reason) in [
        (
            "https://user@a.example",
            "browsers never send a user name in `Origin`: write `https://a.example`",
        ),
        (
            "https://user:pw@a.example:8443",
            "browsers never send a user name in `Origin`: write `https://a.example:8443`",
        ),
        (
            "https://*.example.com",
            "`*` in a host is matched literally, not as a wildcard, and no browser sends it: \
             allow subdomains with `origin_predicate` (see `AllowOrigin`'s docs, \"Subdomains\")",
        ),
        (
            "https://a.example:",
            "the port after `:` is empty: write `https://a.example`",
        ),
        (
            "https://a.example:08080",
            "browsers write the port without leading zeros: write `https://a.example:8080`",
        ),
        (
            "https://a.example:65536",
            "the port is out of range: ports go up to 65535",
        ),
        (
            "https://a.example:99999999999999999999",
            "the port is out of range: ports go up to 65535",
        ),
        ("https://a.example:8o", "the port after `:` is not a number"),
        (
            "https://a..example",
            "the host has an empty label (`..`, or a leading `.`)",
        ),
        (
            "https://.a.example",
            "the host has an empty label (`..`, or a leading `.`)",
        ),
        ("https://:8443", "the host after `://` is missing"),
        (
            "http://[::g]",
            "an IPv6 host is a valid address in brackets, as in `[::1]`",
        ),
    ] {
        assert_eq!(refusal(origin), reason, "{origin}");
    }
}

#[test]
fn the_panicking_form_carries_the_same_message() {
    let panic = std::panic::catch_unwind(|| CorsLayer::new().origin("https://a.example:443"))
        .expect_err("a default port is refused");
    assert_eq!(
        panic.downcast_ref::<String>().map(String::as_str),
        Some(
            "CorsLayer: invalid CORS origin `https://a.example:443`: browsers never send the \
             default port 443 in `Origin`: write `https://a.example`"
        )
    );
}

#[test]
fn a_listed_null_with_credentials_is_refused_in_either_order() {
    let error = CorsLayer::new()
        .origin(["https://a.example", "null"])
        .try_credentials(true)
        .unwrap_err();
    assert_eq!(error, CorsError::NullOriginWithCredentials);
    let error = CorsLayer::new()
        .credentials(true)
        .try_origin("null")
        .unwrap_err();
    assert_eq!(error, CorsError::NullOriginWithCredentials);
    assert_eq!(
        error.to_string(),
        "CORS origin `null` cannot be combined with `credentials(true)`: sandboxed iframes, \
         `data:` URLs and local files of every site send `Origin: null`, so all of them could \
         read credentialed responses; drop `null`, or if you really mean it, allow it \
         explicitly through `origin_predicate`"
    );
    // Without credentials, and through an explicit predicate, it is accepted.
    assert!(CorsLayer::new().try_origin("null").is_ok());
    assert!(CorsLayer::new()
        .origin_predicate(|origin, _| origin == "null")
        .try_credentials(true)
        .is_ok());
}
