//! The radix tree that maps a request path to a route.
//!
//! Each node owns a run of literal bytes (`prefix`) and three kinds of way onwards, tried in
//! priority order: literal children (told apart by their first byte), parameter edges, and one
//! catch-all. A route ends at a node (`route`) or at its catch-all.
//!
//! A parameter edge takes the rest of the segment, up to the next `/`: a non-empty value, then
//! the edge's literal suffix (often empty: `{file}.png` has `.png`, `{id}` none). A parameter's
//! prefix within its segment (`new-{id}`) is plain literal bytes above the node. The edges of a
//! node are kept longest suffix first; of one suffix, typed ones first, in the order they were
//! registered, the untyped one last.
//!
//! Lookup walks the request path's bytes against the tree and backtracks when a branch dead-ends,
//! so a typed parameter that does not parse, or a literal branch with no route under it, falls
//! through to the next candidate. One choice is final, as in matchit: the suffix. Of the edges
//! the segment can take — its value non-empty and of the edge's kind, and the edge leading on to
//! a route when the segment is the path's last or to a `/` when it is not — the longest suffix
//! wins, and edges with shorter suffixes are not tried for that segment even if it dead-ends
//! deeper. So `/a.png/b` under `/{x}.png/a` and `/{x}/b` is not found, as with matchit: the
//! segment reads as `{x}.png`.
//!
//! Lookup allocates nothing: captures go to a fixed-size buffer on the caller's stack.

use crate::error::RouteError;
use crate::params::{Capture, Captures};
use crate::pattern::{ParamKind, Piece};

/// A route as stored in the tree: its id and the pattern it was registered with (for errors).
#[derive(Debug, Clone)]
struct Leaf {
    id: u32,
    pattern: Box<str>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Node {
    prefix: Box<[u8]>,
    /// First byte of each literal child, in the same order as `children`.
    indices: Indices,
    children: Vec<Node>,
    params: Vec<ParamEdge>,
    /// Whether an edge of `params` has a suffix: lookup takes the suffix rules only then, and
    /// the plain loop, read from the node itself, everywhere else.
    suffixed: bool,
    catch_all: Option<Leaf>,
    route: Option<Leaf>,
}

/// The first bytes of a node's literal children: a short list scanned in order, or, once a node
/// has many children (the root of a large API), a table from byte to child.
#[derive(Debug, Default, Clone)]
struct Indices {
    bytes: Vec<u8>,
    table: Option<Box<[u8; 256]>>,
}

impl Indices {
    /// From this many children on, a lookup reads the table instead of scanning.
    const TABLE_FROM: usize = 8;
    const NO_CHILD: u8 = u8::MAX;

    #[inline]
    fn find(&self, byte: u8) -> Option<usize> {
        match &self.table {
            Some(table) => {
                let index = table[usize::from(byte)];
                (index != Self::NO_CHILD).then_some(usize::from(index))
            }
            None => self.bytes.iter().position(|&b| b == byte),
        }
    }

    fn push(&mut self, byte: u8) {
        self.bytes.push(byte);
        // Child indices must fit below `NO_CHILD`; a node with all 256 first bytes scans.
        self.table = (Self::TABLE_FROM..usize::from(Self::NO_CHILD))
            .contains(&self.bytes.len())
            .then(|| {
                let mut table = Box::new([Self::NO_CHILD; 256]);
                for (index, &b) in self.bytes.iter().enumerate() {
                    table[usize::from(b)] = index as u8;
                }
                table
            });
    }
}

#[derive(Debug, Clone)]
struct ParamEdge {
    kind: ParamKind,
    /// Matched literally after the value, before the segment's end.
    suffix: Box<[u8]>,
    next: Node,
}

impl ParamEdge {
    /// Where the value of `segment` ends, if this edge takes it: the segment ends with the
    /// suffix, and what comes before it is a non-empty value of the edge's kind.
    #[inline]
    fn value_len(&self, segment: &[u8]) -> Option<usize> {
        let len = segment
            .len()
            .checked_sub(self.suffix.len())
            .filter(|&n| n > 0)?;
        let (value, suffix) = segment.split_at(len);
        (has_prefix_at(suffix, 0, &self.suffix) && accepts(self.kind, value)).then_some(len)
    }
}

impl Node {
    /// Adds a route; `pattern` is what error messages name.
    pub(crate) fn insert(
        &mut self,
        pattern: &str,
        pieces: &[Piece],
        id: u32,
    ) -> Result<(), RouteError> {
        let leaf = Leaf {
            id,
            pattern: pattern.into(),
        };
        self.insert_pieces(pieces, leaf)
    }

    fn insert_pieces(&mut self, pieces: &[Piece], leaf: Leaf) -> Result<(), RouteError> {
        match pieces.split_first() {
            None => match &self.route {
                Some(existing) => Err(RouteError::conflict(&leaf.pattern, &existing.pattern)),
                None => {
                    self.route = Some(leaf);
                    Ok(())
                }
            },
            Some((Piece::Static(literal), rest)) => {
                self.insert_literal(literal.as_bytes(), rest, leaf)
            }
            Some((Piece::Param { kind, suffix, .. }, rest)) => {
                let suffix = suffix.as_bytes();
                let position = self
                    .params
                    .iter()
                    .position(|edge| edge.kind == *kind && *edge.suffix == *suffix);
                let index = match position {
                    Some(index) => index,
                    None => {
                        // Longest suffix first; of one suffix, typed edges in registration
                        // order, the untyped one last.
                        let at = self
                            .params
                            .iter()
                            .position(|edge| {
                                edge.suffix.len() < suffix.len()
                                    || (*edge.suffix == *suffix
                                        && kind.is_typed()
                                        && !edge.kind.is_typed())
                            })
                            .unwrap_or(self.params.len());
                        self.params.insert(
                            at,
                            ParamEdge {
                                kind: *kind,
                                suffix: suffix.into(),
                                next: Node::default(),
                            },
                        );
                        at
                    }
                };
                self.suffixed |= !suffix.is_empty();
                self.params[index].next.insert_pieces(rest, leaf)
            }
            Some((Piece::CatchAll { .. }, _)) => match &self.catch_all {
                Some(existing) => Err(RouteError::conflict(&leaf.pattern, &existing.pattern)),
                None => {
                    self.catch_all = Some(leaf);
                    Ok(())
                }
            },
        }
    }

    /// Descends through literal bytes below this node, splitting nodes where the new literal
    /// diverges from an existing one. `literal` is matched *after* this node's own prefix.
    fn insert_literal(
        &mut self,
        literal: &[u8],
        rest: &[Piece],
        leaf: Leaf,
    ) -> Result<(), RouteError> {
        if literal.is_empty() {
            return self.insert_pieces(rest, leaf);
        }
        let Some(index) = self.indices.find(literal[0]) else {
            let mut child = Node {
                prefix: literal.into(),
                ..Node::default()
            };
            child.insert_pieces(rest, leaf)?;
            self.indices.push(literal[0]);
            self.children.push(child);
            return Ok(());
        };
        let child = &mut self.children[index];
        let common = child
            .prefix
            .iter()
            .zip(literal)
            .take_while(|(a, b)| a == b)
            .count();
        if common < child.prefix.len() {
            child.split_at(common);
        }
        child.insert_literal(&literal[common..], rest, leaf)
    }

    /// Keeps `prefix[..at]` here and moves everything else into a new single child.
    fn split_at(&mut self, at: usize) {
        let tail = Node {
            prefix: self.prefix[at..].into(),
            indices: std::mem::take(&mut self.indices),
            children: std::mem::take(&mut self.children),
            params: std::mem::take(&mut self.params),
            suffixed: std::mem::take(&mut self.suffixed),
            catch_all: self.catch_all.take(),
            route: self.route.take(),
        };
        self.prefix = self.prefix[..at].into();
        self.indices = Indices::default();
        self.indices.push(tail.prefix[0]);
        self.children = vec![tail];
    }

    /// Points the leaf of route `old` at route `new`, named `pattern` from now on, and renumbers
    /// the routes after `old` one down: route `old` left the table and `new` was added at its end.
    pub(crate) fn replace_route(&mut self, old: u32, new: u32, pattern: &str) {
        self.for_each_leaf(&mut |leaf: &mut Leaf| {
            if leaf.id == old {
                leaf.id = new;
                leaf.pattern = pattern.into();
            } else if leaf.id > old {
                leaf.id -= 1;
            }
        });
    }

    fn for_each_leaf(&mut self, visit: &mut impl FnMut(&mut Leaf)) {
        self.route
            .iter_mut()
            .chain(&mut self.catch_all)
            .for_each(&mut *visit);
        for child in &mut self.children {
            child.for_each_leaf(visit);
        }
        for edge in &mut self.params {
            edge.next.for_each_leaf(visit);
        }
    }

    /// Finds the route for `path`, filling `captures` with the parameters on the way.
    #[inline]
    pub(crate) fn find(&self, path: &[u8], captures: &mut Captures) -> Option<u32> {
        // The root's prefix is empty: every route starts below it.
        self.find_below(path, 0, captures)
    }

    /// Matches `path[pos..]`, which follows this node's prefix.
    ///
    /// The ways onwards are tried in priority order. All but the last one available recurse, so
    /// that a dead end returns here and the next is tried; the last one is a plain step of the
    /// loop, as there is nothing left to come back for. Most nodes have one way onwards, so most
    /// of a lookup is that loop.
    fn find_below(&self, path: &[u8], mut pos: usize, captures: &mut Captures) -> Option<u32> {
        let mut node = self;
        'walk: loop {
            let Some(&first) = path.get(pos) else {
                return node.route.as_ref().map(|leaf| leaf.id);
            };
            if let Some(index) = node.indices.find(first) {
                let child = &node.children[index];
                // The first byte is the one `indices` just matched.
                if has_prefix_at(path, pos + 1, &child.prefix[1..]) {
                    let end = pos + child.prefix.len();
                    if node.params.is_empty() && node.catch_all.is_none() {
                        (node, pos) = (child, end);
                        continue 'walk;
                    }
                    let mark = captures.len();
                    if let Some(id) = child.find_below(path, end, captures) {
                        return Some(id);
                    }
                    // The dead end may have captured parameters on its way down.
                    captures.truncate(mark);
                }
            }
            if node.suffixed {
                let segment_end = segment_end(path, pos);
                if segment_end > pos {
                    if let Some(id) = node.find_suffixed(path, pos, segment_end, captures) {
                        return Some(id);
                    }
                }
            } else if let Some(last) = node.params.len().checked_sub(1) {
                // No edge has a suffix: each takes the whole segment.
                let segment_end = segment_end(path, pos);
                if segment_end > pos {
                    let segment = &path[pos..segment_end];
                    let mark = captures.len();
                    for (at, edge) in node.params.iter().enumerate() {
                        if !accepts(edge.kind, segment) {
                            continue;
                        }
                        captures.push(Capture::new(pos, segment_end));
                        if at == last && node.catch_all.is_none() {
                            (node, pos) = (&edge.next, segment_end);
                            continue 'walk;
                        }
                        if let Some(id) = edge.next.find_below(path, segment_end, captures) {
                            return Some(id);
                        }
                        captures.truncate(mark);
                    }
                }
            }
            let leaf = node.catch_all.as_ref()?;
            captures.push(Capture::new(pos, path.len()));
            return Some(leaf.id);
        }
    }
}

impl Node {
    /// Matches the segment `path[pos..segment_end]` (not empty) against this node's parameter
    /// edges when some have a suffix, and the path beyond it below them. Of the edges that can
    /// take the segment, the longest suffix is chosen for good (see the module's docs).
    fn find_suffixed(
        &self,
        path: &[u8],
        pos: usize,
        segment_end: usize,
        captures: &mut Captures,
    ) -> Option<u32> {
        let segment = &path[pos..segment_end];
        let mark = captures.len();
        let mut chosen: Option<usize> = None;
        for edge in &self.params {
            if chosen.is_some_and(|len| edge.suffix.len() < len) {
                break;
            }
            let Some(value_len) = edge.value_len(segment) else {
                continue;
            };
            // An edge chooses the suffix only if the path can go on through it.
            if chosen.is_none() {
                if !edge.next.leads_on(segment_end == path.len()) {
                    continue;
                }
                chosen = Some(edge.suffix.len());
            }
            captures.push(Capture::new(pos, pos + value_len));
            if let Some(id) = edge.next.find_below(path, segment_end, captures) {
                return Some(id);
            }
            captures.truncate(mark);
        }
        None
    }

    /// Whether a path can go on below this node, the node after a parameter: to a route here
    /// when the segment was the path's last, or to the `/` that starts the next segment.
    #[inline]
    fn leads_on(&self, at_end: bool) -> bool {
        if at_end {
            self.route.is_some()
        } else {
            self.indices.find(b'/').is_some()
        }
    }
}

/// Where the segment that starts at `pos` ends: at the next `/`, or the path's end.
#[inline]
fn segment_end(path: &[u8], pos: usize) -> usize {
    path[pos..]
        .iter()
        .position(|&b| b == b'/')
        .map_or(path.len(), |offset| pos + offset)
}

/// `path[pos..]` starts with `prefix`. Most prefixes are a few bytes long, where a plain loop
/// beats the call to `memcmp` that slice equality becomes; long ones (a deep nest's flattened
/// literal) go to `memcmp`.
#[inline]
fn has_prefix_at(path: &[u8], pos: usize, prefix: &[u8]) -> bool {
    match path.get(pos..pos + prefix.len()) {
        Some(bytes) if prefix.len() <= 16 => bytes.iter().zip(prefix).all(|(a, b)| a == b),
        Some(bytes) => bytes == prefix,
        None => false,
    }
}

/// Whether `segment` is a value of `kind`.
#[inline]
fn accepts(kind: ParamKind, segment: &[u8]) -> bool {
    match kind {
        ParamKind::Any => true,
        ParamKind::I64 => parses::<i64>(segment),
        ParamKind::I32 => parses::<i32>(segment),
        ParamKind::U64 => parses::<u64>(segment),
        ParamKind::U32 => parses::<u32>(segment),
        ParamKind::Uuid => uuid::Uuid::try_parse_ascii(segment).is_ok(),
    }
}

fn parses<T: std::str::FromStr>(segment: &[u8]) -> bool {
    // Digits and a sign are ASCII, so anything else fails here before `from_str`.
    std::str::from_utf8(segment).is_ok_and(|text| text.parse::<T>().is_ok())
}
