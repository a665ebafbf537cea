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
    /// Bytes matched literally: everything between parameters, the `/`s and a parameter's
    /// prefix within its segment included.
    Static(String),
    /// One parameter in one segment: a non-empty value, up to the next `/`, that ends with
    /// `suffix` (often empty), which is matched literally and is not part of the value.
    Param {
        name: String,
        kind: ParamKind,
        suffix: String,
    },
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

/// Reads `route` segment by segment: a value never holds a `/` (but a catch-all's), so a segment
/// holds one parameter at most, the literal text before it in the segment being its prefix and
/// the text after it its suffix.
fn parse_pattern(route: &str) -> Result<Vec<Piece>, RouteError> {
    let invalid = |reason: String| RouteError::invalid(route, reason);
    let Some(segments) = route.strip_prefix('/') else {
        return Err(invalid("a route must start with `/`".into()));
    };
    if let Some(reason) = route.bytes().find_map(unroutable) {
        return Err(invalid(reason.into()));
    }
    let mut pieces = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    // The literal bytes since the last parameter; after a parameter, its suffix so far.
    let mut literal = String::new();
    let mut segments = segments.split('/').peekable();
    while let Some(segment) = segments.next() {
        literal.push('/');
        let mut rest = match v07_capture(segment) {
            Some(reason) => return Err(invalid(reason)),
            None => unescape_start(segment, &mut literal),
        };
        // The parameter of this segment, once found: the rest of the segment is its suffix.
        let mut param: Option<(&str, ParamKind)> = None;
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
                    "`{}` opens a parameter that is never closed with `{close}` in its path \
                     segment",
                    open as char
                )));
            };
            let spelled = &from[..=end];
            let (name, kind) = read_param(&from[1..end], open, spelled).map_err(invalid)?;
            if let Some((first, _)) = param {
                return Err(invalid(format!(
                    "one parameter per path segment: `{first}` and `{name}` share one (a value \
                     ends at the next `/`, so two in a segment could split it more than one way); \
                     capture the segment whole and split it in the handler"
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
            rest = &from[end + 1..];
            pieces.push(Piece::Static(std::mem::take(&mut literal)));
            match kind {
                Some(kind) => param = Some((name, kind)),
                None => {
                    if !rest.is_empty() || segments.peek().is_some() {
                        return Err(invalid(format!(
                            "catch-all parameter `{spelled}` must be the last thing in the route"
                        )));
                    }
                    pieces.push(Piece::CatchAll {
                        name: name.to_owned(),
                    });
                }
            }
        }
        literal.push_str(rest);
        if let Some((name, kind)) = param {
            pieces.push(Piece::Param {
                name: name.to_owned(),
                kind,
                suffix: std::mem::take(&mut literal),
            });
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Static(literal));
    }
    Ok(pieces)
}

/// The name of the parameter spelled `spelled` (`inner` between its brackets, opened with
/// `open`), and its kind: `None` for a catch-all.
fn read_param<'a>(
    inner: &'a str,
    open: u8,
    spelled: &str,
) -> Result<(&'a str, Option<ParamKind>), String> {
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
                    return Err(format!(
                        "unknown parameter type `{type_name}` in `{spelled}`; expected one of \
                         str, path, int, i32, i64, u32, u64, uuid, ** or full_path"
                    ))
                }
            },
        }
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(format!(
            "parameter `{spelled}` needs a name made of ASCII letters, digits and `_`"
        ));
    }
    Ok((name, kind))
}

/// Why `segment` is refused when it starts with `:` or `*`: axum 0.7's and older routers'
/// parameter syntax (`/:id`, `/*rest`), which would otherwise be taken as literal bytes and
/// leave a migrated route answering `404`. The message shows the spelling this router reads.
fn v07_capture(segment: &str) -> Option<String> {
    let marker = segment.chars().next().filter(|c| matches!(c, ':' | '*'))?;
    let rest = &segment[1..];
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let name = match &rest[..name_len] {
        "" => "name",
        name => name,
    };
    let tail = &rest[name_len..];
    Some(if marker == ':' {
        format!(
            "path segment `{segment}` starts with `:`, the parameter syntax of axum 0.7, which \
             this router would match as literal text: write the parameter `{{{name}}}{tail}` \
             (or `<{name}>{tail}`); for a segment that starts with a literal `:`, write `\\:`"
        )
    } else {
        format!(
            "path segment `{segment}` starts with `*`, the wildcard syntax of axum 0.7, which \
             this router would match as literal text: write the catch-all `{{*{name}}}` (or \
             `<{name}:**>`); for a segment that starts with a literal `*`, write `\\*`"
        )
    })
}

/// The escape for a literal `:` or `*` at the start of a segment: `\:` and `\*` push the
/// character to `literal` and return the rest of the segment; any other segment is returned whole.
fn unescape_start<'a>(segment: &'a str, literal: &mut String) -> &'a str {
    match segment.strip_prefix('\\') {
        Some(rest) if rest.starts_with([':', '*']) => {
            literal.push_str(&rest[..1]);
            &rest[1..]
        }
        _ => segment,
    }
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
mod tests;
