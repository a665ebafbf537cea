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
            "HTTP://a.example:80",
            "browsers send origins in lowercase: write `http://a.example`",
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
fn other_spellings_of_an_origin_are_refused_with_the_one_browsers_send() {
    for (origin, reason) in [
        // IPv4 in the short and non-decimal forms URL parsers read as an address.
        (
            "http://127.1",
            "browsers send an IPv4 address as four decimal numbers: write `http://127.0.0.1`",
        ),
        (
            "http://0x7f.0.0.1:8080",
            "browsers send an IPv4 address as four decimal numbers: write `http://127.0.0.1:8080`",
        ),
        (
            "http://2130706433",
            "browsers send an IPv4 address as four decimal numbers: write `http://127.0.0.1`",
        ),
        (
            "http://0177.0.0.01",
            "browsers send an IPv4 address as four decimal numbers: write `http://127.0.0.1`",
        ),
        (
            "http://10.0.0.1.",
            "browsers send an IPv4 address as four decimal numbers: write `http://10.0.0.1`",
        ),
        (
            "http://0x0A.0X1.0.0x",
            "browsers send an IPv4 address as four decimal numbers: write `http://10.1.0.0`",
        ),
        // IPv6: compressed (the first longest run of zeros), lowercase, no dotted tail.
        (
            "https://[0:0:0:0:0:0:0:1]",
            "browsers send an IPv6 address compressed and in lowercase: write `https://[::1]`",
        ),
        (
            "https://[2001:DB8::1]:8443",
            "browsers send an IPv6 address compressed and in lowercase: \
             write `https://[2001:db8::1]:8443`",
        ),
        (
            "https://[2001:db8:0:0:1:0:0:1]",
            "browsers send an IPv6 address compressed and in lowercase: \
             write `https://[2001:db8::1:0:0:1]`",
        ),
        (
            "https://[::ffff:127.0.0.1]",
            "browsers send an IPv6 address compressed and in lowercase: \
             write `https://[::ffff:7f00:1]`",
        ),
        (
            "http://[0:0::1:0]",
            "browsers send an IPv6 address compressed and in lowercase: write `http://[::1:0]`",
        ),
        // Percent-escapes in the host are decoded by the URL parser.
        (
            "https://a%2eexample",
            "browsers send the host without percent-escapes: write `https://a.example`",
        ),
        (
            "https://%41.example",
            "browsers send the host without percent-escapes: write `https://a.example`",
        ),
        (
            "http://127.0.0.%31",
            "browsers send the host without percent-escapes: write `http://127.0.0.1`",
        ),
        // Case, paths and several faults at once: the first is named, the fix covers them all.
        (
            "HTTPS://A.EXAMPLE",
            "browsers send origins in lowercase: write `https://a.example`",
        ),
        (
            "https://A.example",
            "browsers send origins in lowercase: write `https://a.example`",
        ),
        (
            "https://a.example/",
            "an origin has no path, query or fragment, not even a trailing `/`: \
             write `https://a.example`",
        ),
        (
            "https://a.example\\app",
            "an origin has no path, query or fragment, not even a trailing `/`: \
             write `https://a.example`",
        ),
        (
            "HTTP://u@127.1:0080/x",
            "browsers send origins in lowercase: write `http://127.0.0.1`",
        ),
    ] {
        assert_eq!(refusal(origin), reason, "{origin}");
        // The suggested spelling is itself accepted.
        let suggested = reason.rsplit('`').nth(1).unwrap();
        assert!(
            CorsLayer::new().try_origin(suggested).is_ok(),
            "{origin} -> {suggested}"
        );
    }
}

#[test]
fn spellings_with_no_browser_form_are_refused_naming_the_fault() {
    let scheme = |s: &str| {
        format!(
            "`{s}` is not the scheme of a page's origin: browsers send `http` or `https` (a \
             WebSocket handshake carries the origin of the page that opened it, as in \
             `https://a.example`); allow other schemes, such as a browser extension's, with \
             `origin_predicate`"
        )
    };
    let not_ipv4 = "the host ends in a number but is not an IPv4 address: four numbers up to \
                    255, as in `127.0.0.1`";
    for (origin, reason) in [
        ("ws://a.example", scheme("ws")),
        ("wss://a.example:443", scheme("wss")),
        ("ftp://a.example", scheme("ftp")),
        ("chrome-extension://abc", scheme("chrome-extension")),
        ("http://256.0.0.1", not_ipv4.into()),
        ("http://1.2.3.4.5", not_ipv4.into()),
        ("http://a.123", not_ipv4.into()),
        ("http://08.0.0.1", not_ipv4.into()),
        ("http://0x1g.0x1", not_ipv4.into()),
        ("http://4294967296", not_ipv4.into()),
        (
            "https://bücher.example",
            "browsers send an internationalized host in its ASCII form (IDNA, `xn--…`), not \
             `ü`: write the origin as `new URL(\"https://bücher.example\").origin` shows it in \
             a browser's console"
                .into(),
        ),
        (
            "https://b%C3%BCcher.example",
            "browsers send an internationalized host in its ASCII form (IDNA, `xn--…`), not \
             `ü`: write the origin as `new URL(\"https://bücher.example\").origin` shows it in \
             a browser's console"
                .into(),
        ),
        (
            "https://a%ff.example",
            "the host's percent-escapes do not decode to UTF-8".into(),
        ),
        ("https://a%25.example", "a host cannot contain `%`".into()),
        ("https://a%.example", "a host cannot contain `%`".into()),
        ("https://a<b.example", "a host cannot contain `<`".into()),
        ("https://a%2fb.example", "a host cannot contain `/`".into()),
        ("https://a%20b.example", "a host cannot contain ` `".into()),
    ] {
        assert_eq!(refusal(origin), reason, "{origin}");
    }
}

#[test]
fn canonical_origins_are_accepted() {
    for origin in [
        "http://127.0.0.1",
        "http://0.0.0.0:8080",
        "https://[::1]",
        "https://[::]:8443",
        "https://[2001:db8::1:0:0:1]",
        "https://[::ffff:7f00:1]",
        "https://[1:2:3:4:5:6:7:8]",
        "https://xn--bcher-kva.example",
        "https://a.example.",
        "http://localhost:3000",
        "https://0.example",
        "https://1e100.net",
        "https://a-b.c_d.example",
        // A last label that is not a number makes a name, not an address.
        "http://0x1g",
        "http://1.2.3.4.example",
    ] {
        assert!(
            CorsLayer::new().try_origin(origin).is_ok(),
            "{origin}: {:?}",
            CorsLayer::new().try_origin(origin).err()
        );
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
