//! The route syntax: what parses, into which pieces, and what is refused.

use super::*;

fn stat(s: &str) -> Piece {
    Piece::Static(s.into())
}

fn param(name: &str, kind: ParamKind) -> Piece {
    partial(name, kind, "")
}

fn partial(name: &str, kind: ParamKind, suffix: &str) -> Piece {
    Piece::Param {
        name: name.into(),
        kind,
        suffix: suffix.into(),
    }
}

#[test]
fn both_syntaxes_parse_to_the_same_pieces() {
    let expected = vec![stat("/users/"), param("id", ParamKind::Any), stat("/posts")];
    assert_eq!(parse("/users/{id}/posts").unwrap(), expected);
    assert_eq!(parse("/users/<id>/posts").unwrap(), expected);
    assert_eq!(parse("/users/<id:str>/posts").unwrap(), expected);
    assert_eq!(parse("/users/<id:path>/posts").unwrap(), expected);
}

#[test]
fn typed_params_and_catch_alls() {
    assert_eq!(
        parse("/a/<n:int>/<u:uuid>/<rest:**>").unwrap(),
        vec![
            stat("/a/"),
            param("n", ParamKind::I64),
            stat("/"),
            param("u", ParamKind::Uuid),
            stat("/"),
            Piece::CatchAll {
                name: "rest".into()
            }
        ]
    );
    assert_eq!(
        parse("/files/{*path}").unwrap(),
        vec![
            stat("/files/"),
            Piece::CatchAll {
                name: "path".into()
            }
        ]
    );
    assert_eq!(
        parse("/files/<path:full_path>").unwrap(),
        vec![
            stat("/files/"),
            Piece::CatchAll {
                name: "path".into()
            }
        ]
    );
}

#[test]
fn malformed_routes_are_refused_with_the_reason() {
    let cases = [
        ("users", "must start with `/`"),
        ("/users/{id", "never closed"),
        ("/users/id}", "never opened"),
        ("/users/<id:float>", "unknown parameter type `float`"),
        ("/users/{}", "needs a name"),
        ("/users/{a-b}", "needs a name"),
        ("/v{major}.{minor}", "one parameter per path segment"),
        (
            "/v<major:int>.<minor:int>",
            "one parameter per path segment",
        ),
        ("/{a}{*b}", "one parameter per path segment"),
        ("/{*rest}.png", "must be the last"),
        ("/{*rest}/", "must be the last"),
        ("/a{b", "never closed"),
        ("/{a}/{a}", "used twice"),
        ("/{*rest}/more", "must be the last"),
    ];
    for (route, reason) in cases {
        let err = parse(route).unwrap_err().to_string();
        assert!(err.contains(reason), "{route}: {err}");
        assert!(err.contains(route), "{route}: {err}");
    }
}

#[test]
fn a_parameter_may_have_a_prefix_and_a_suffix_in_its_segment() {
    assert_eq!(
        parse("/files/{file}.png").unwrap(),
        vec![stat("/files/"), partial("file", ParamKind::Any, ".png")]
    );
    assert_eq!(
        parse("/new-{id}/edit").unwrap(),
        vec![stat("/new-"), param("id", ParamKind::Any), stat("/edit")]
    );
    assert_eq!(
        parse("/x{a}x/y").unwrap(),
        vec![stat("/x"), partial("a", ParamKind::Any, "x"), stat("/y")]
    );
    assert_eq!(
        parse("/v<n:i64>.json").unwrap(),
        vec![stat("/v"), partial("n", ParamKind::I64, ".json")]
    );
    // Doubled braces in a suffix are literal braces.
    assert_eq!(
        parse("/{a}.{{b}}").unwrap(),
        vec![stat("/"), partial("a", ParamKind::Any, ".{b}")]
    );
    // A catch-all may follow a prefix, as in matchit.
    assert_eq!(
        parse("/static/x{*rest}").unwrap(),
        vec![
            stat("/static/x"),
            Piece::CatchAll {
                name: "rest".into()
            }
        ]
    );
}

#[test]
fn axum_07_parameters_are_refused_with_the_spelling_to_use() {
    let cases = [
        ("/users/:id", "`{id}`"),
        ("/users/:id/posts", "`{id}`"),
        ("/:id.json", "`{id}.json`"),
        ("/files/*rest", "`{*rest}`"),
        ("/*", "`{*name}`"),
        ("/:", "`{name}`"),
    ];
    for (route, spelling) in cases {
        let err = parse(route).unwrap_err().to_string();
        assert!(err.contains(spelling), "{route}: {err}");
        assert!(err.contains("axum 0.7"), "{route}: {err}");
    }
    // `\:` and `\*` at a segment's start are the literal characters.
    assert_eq!(parse(r"/a/\:id").unwrap(), vec![stat("/a/:id")]);
    assert_eq!(
        parse(r"/\*/{x}").unwrap(),
        vec![stat("/*/"), param("x", ParamKind::Any)]
    );
    // Elsewhere in a segment, `:` and `*` were never parameters: they stay literal.
    assert_eq!(parse("/a:b/c*").unwrap(), vec![stat("/a:b/c*")]);
    assert_eq!(parse(r"/a\:b").unwrap(), vec![stat(r"/a\:b")]);
}

#[test]
fn doubled_braces_are_literal() {
    assert_eq!(parse("/a/{{b}}").unwrap(), vec![stat("/a/{b}")]);
    assert_eq!(
        parse("/{{/{id}/}}").unwrap(),
        vec![stat("/{/"), param("id", ParamKind::Any), stat("/}")]
    );
}

#[test]
fn the_hidden_catch_all_is_internal_and_nameless() {
    let pieces = parse_internal("/{t}/{*}").unwrap();
    assert_eq!(
        pieces,
        vec![
            stat("/"),
            param("t", ParamKind::Any),
            stat("/"),
            Piece::CatchAll {
                name: String::new()
            }
        ]
    );
    assert_eq!(param_names(&pieces), vec![Box::from("t")]);
    assert!(parse("/{t}/{*}").is_err());
    // Only a final `/{*}` is the hidden one.
    assert!(parse_internal("/{*}/x").is_err());
    assert!(parse_internal("/a{*}").is_err());
}

#[test]
fn too_many_params_are_refused() {
    let route: String = (0..=MAX_PARAMS).map(|i| format!("/{{p{i}}}")).collect();
    let err = parse(&route).unwrap_err().to_string();
    assert!(err.contains("at most 12 parameters"), "{err}");
}
