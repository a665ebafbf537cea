//! Route patterns: parsing silent's `<name:type>` and matchit's `{name}` syntax into pieces.

use std::fmt;

use crate::error::RouteError;

/// The most parameters one route may capture. Captures live inline in
/// [`PathParams`](crate::PathParams), so the bound is what keeps them off the heap.
pub const MAX_PARAMS: usize = 12;

/// What a parameter segment accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// Any non-empty segment: `<name>`, `<name:str>`, `<name:path>`, `{name}`.
    Any,
    /// `<name:int>` / `<name:i64>`.
    I64,
    /// `<name:i32>`.
    I32,
    /// `<name:u64>`.
    U64,
    /// `<name:u32>`.
    U32,
    /// `<name:uuid>`: hyphenated, simple, braced or URN form.
    Uuid,
}

impl ParamKind {
    fn from_type_name(name: &str) -> Option<Self> {
        Some(match name {
            "str" | "path" => ParamKind::Any,
            "int" | "i64" => ParamKind::I64,
            "i32" => ParamKind::I32,
            "u64" => ParamKind::U64,
            "u32" => ParamKind::U32,
            "uuid" => ParamKind::Uuid,
            _ => return None,
        })
    }

    /// Typed kinds are tried before the untyped one at the same position.
    pub(crate) fn is_typed(self) -> bool {
        self != ParamKind::Any
    }
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamKind::Any => "str",
            ParamKind::I64 => "i64",
            ParamKind::I32 => "i32",
            ParamKind::U64 => "u64",
            ParamKind::U32 => "u32",
            ParamKind::Uuid => "uuid",
        })
    }
}

/// One piece of a parsed route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Bytes matched literally.
    Static(String),
    /// One segment, up to the next `/`.
    Param { name: String, kind: ParamKind },
    /// The rest of the path, at least one byte.
    CatchAll { name: String },
}

/// The catch-all that ends the patterns of a nested router's fallback (`/api/{*}`): it has no
/// name, so users cannot write it, and it is not one of the parameters a request sees.
pub(crate) const HIDDEN_REST: &str = "{*}";

/// Parses `route` into pieces, refusing what cannot be routed with a message that says why.
pub(crate) fn parse(route: &str) -> Result<Vec<Piece>, RouteError> {
    parse_pattern(route)
}

/// [`parse`], for the patterns the router makes itself: it also takes a final [`HIDDEN_REST`],
/// as a catch-all with an empty name.
pub(crate) fn parse_internal(route: &str) -> Result<Vec<Piece>, RouteError> {
    match route.strip_suffix(HIDDEN_REST) {
        Some(head) if head.ends_with('/') => {
            let mut pieces = parse_pattern(head)?;
            pieces.push(Piece::CatchAll {
                name: String::new(),
            });
            Ok(pieces)
        }
        _ => parse_pattern(route),
    }
}

/// Why no request path can hold `byte` as it is, or `None` when one can.
///
/// hyper reads the request target with `httparse` and `http::Uri`: together they take the visible
/// ASCII characters but `<`, `>` and `` ` ``, and bytes from 0x80 on as long as the path is
/// UTF-8 (so `/café` can arrive unescaped, from clients that send it so).
fn unroutable(byte: u8) -> Option<&'static str> {
    Some(match byte {
        b'?' => {
            "`?` starts the query: a route matches the path only; read the query with \
             `req.query_param`"
        }
        b'#' => "`#` starts the fragment, which clients never send",
        b' ' => "a request path cannot hold a space unescaped: spell it `%20`",
        b'`' => "a request path cannot hold `` ` `` unescaped: spell it `%60`",
        0..=0x1f | 0x7f => {
            "a request path cannot hold a control character unescaped: spell it `%XX` (`%09` \
             for a tab)"
        }
        _ => return None,
    })
}

fn parse_pattern(route: &str) -> Result<Vec<Piece>, RouteError> {
    let invalid = |reason: String| RouteError::invalid(route, reason);
    if !route.starts_with('/') {
        return Err(invalid("a route must start with `/`".into()));
    }
    if let Some(reason) = route.bytes().find_map(unroutable) {
        return Err(invalid(reason.into()));
    }
    let mut pieces = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut literal = String::new();
    let mut rest = route;
    while let Some(at) = rest.find(['<', '{', '>', '}']) {
        let (before, from) = rest.split_at(at);
        literal.push_str(before);
        // `{{` and `}}` are a literal `{` and `}`, as in matchit.
        if from.starts_with("{{") || from.starts_with("}}") {
            literal.push_str(&from[..1]);
            rest = &from[2..];
            continue;
        }
        let open = from.as_bytes()[0];
        let close = match open {
            b'<' => '>',
            b'{' => '}',
            other => {
                return Err(invalid(format!(
                    "`{}` closes a parameter that was never opened",
                    other as char
                )))
            }
        };
        let Some(end) = from.find(close) else {
            return Err(invalid(format!(
                "`{}` opens a parameter that is never closed with `{close}`",
                open as char
            )));
        };
        let inner = &from[1..end];
        if !literal.ends_with('/') {
            return Err(invalid(format!(
                "parameter `{}` must start a path segment (right after a `/`)",
                &from[..=end]
            )));
        }
        let after = &from[end + 1..];
        if !after.is_empty() && !after.starts_with('/') {
            return Err(invalid(format!(
                "parameter `{}` must end its path segment (be followed by `/` or nothing)",
                &from[..=end]
            )));
        }
        let (name, kind) = if open == b'{' {
            match inner.strip_prefix('*') {
                Some(name) => (name, None),
                None => (inner, Some(ParamKind::Any)),
            }
        } else {
            match inner.split_once(':') {
                None => (inner, Some(ParamKind::Any)),
                Some((name, "**" | "full_path")) => (name, None),
                Some((name, type_name)) => match ParamKind::from_type_name(type_name) {
                    Some(kind) => (name, Some(kind)),
                    None => {
                        return Err(invalid(format!(
                            "unknown parameter type `{type_name}` in `{}`; expected one of str, \
                             path, int, i32, i64, u32, u64, uuid, ** or full_path",
                            &from[..=end]
                        )))
                    }
                },
            }
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(invalid(format!(
                "parameter `{}` needs a name made of ASCII letters, digits and `_`",
                &from[..=end]
            )));
        }
        if names.contains(&name) {
            return Err(invalid(format!("parameter name `{name}` is used twice")));
        }
        names.push(name);
        if names.len() > MAX_PARAMS {
            return Err(invalid(format!(
                "a route may capture at most {MAX_PARAMS} parameters"
            )));
        }
        pieces.push(Piece::Static(std::mem::take(&mut literal)));
        match kind {
            Some(kind) => pieces.push(Piece::Param {
                name: name.to_owned(),
                kind,
            }),
            None => {
                if !after.is_empty() {
                    return Err(invalid(format!(
                        "catch-all parameter `{}` must be the last thing in the route",
                        &from[..=end]
                    )));
                }
                pieces.push(Piece::CatchAll {
                    name: name.to_owned(),
                });
            }
        }
        rest = after;
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Static(literal));
    }
    Ok(pieces)
}

/// Parameter names of a parsed route, in order; the hidden catch-all of a nested fallback has
/// none (it is last, so the names still line up with the captures).
pub(crate) fn param_names(pieces: &[Piece]) -> Vec<Box<str>> {
    pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::CatchAll { name } if name.is_empty() => None,
            Piece::Param { name, .. } | Piece::CatchAll { name } => Some(name.as_str().into()),
            Piece::Static(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(s: &str) -> Piece {
        Piece::Static(s.into())
    }

    fn param(name: &str, kind: ParamKind) -> Piece {
        Piece::Param {
            name: name.into(),
            kind,
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
            ("/users/{id}.json", "must end its path segment"),
            ("/users/v{id}", "must start a path segment"),
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
}
