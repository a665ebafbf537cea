//! Writes the self-signed certificate every TLS and HTTP/3 server of the load test serves:
//! `tls-cert DIR` makes `DIR/cert.pem` and `DIR/key.pem` (for `localhost` and 127.0.0.1).

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: tls-cert DIR"));
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("a self-signed certificate");
    std::fs::create_dir_all(&dir).expect("DIR");
    std::fs::write(dir.join("cert.pem"), certified.cert.pem()).expect("DIR/cert.pem");
    std::fs::write(dir.join("key.pem"), certified.signing_key.serialize_pem())
        .expect("DIR/key.pem");
}
