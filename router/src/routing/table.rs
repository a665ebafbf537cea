//! The route table: the radix tree, and what each route it finds leads to.

use std::sync::Arc;

use super::erased::SharedEndpoint;
use crate::error::RouteError;
use crate::params::RouteInfo;
use crate::pattern;
use crate::tree;

pub(crate) struct RouteTable<B, S> {
    pub(crate) tree: tree::Node,
    pub(crate) routes: Vec<RouteEntry<B, S>>,
}

pub(crate) struct RouteEntry<B, S> {
    pub(crate) endpoint: SharedEndpoint<B, S>,
    pub(crate) info: Arc<RouteInfo>,
    pub(crate) kind: EntryKind,
    /// Whether the router hands the endpoint the matched route ([`RouteInfo`] and captures):
    /// every user route, for its parameters and its [`MatchedPath`](crate::extract::MatchedPath),
    /// a nested service for the rest of the path, a nested fallback for its prefix's parameters.
    pub(crate) hands_route: bool,
}

/// What put an entry in the table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EntryKind {
    /// A route the user added.
    Route,
    /// A path under a nest prefix that the nested router's fallback answers.
    NestedFallback,
    /// A path under a prefix that a service given to `nest_service` answers.
    NestedService,
}

impl<B, S> Default for RouteTable<B, S> {
    fn default() -> Self {
        RouteTable {
            tree: tree::Node::default(),
            routes: Vec::new(),
        }
    }
}

impl<B, S> Clone for RouteTable<B, S> {
    fn clone(&self) -> Self {
        RouteTable {
            tree: self.tree.clone(),
            routes: self.routes.clone(),
        }
    }
}

impl<B, S> Clone for RouteEntry<B, S> {
    fn clone(&self) -> Self {
        RouteEntry {
            endpoint: self.endpoint.clone(),
            info: Arc::clone(&self.info),
            kind: self.kind,
            hands_route: self.hands_route,
        }
    }
}

impl<B, S> RouteTable<B, S> {
    /// The same table with every endpoint mapped: the tree and the routes' order kept.
    pub(crate) fn map_endpoints<S2>(
        &self,
        mut map: impl FnMut(&SharedEndpoint<B, S>) -> SharedEndpoint<B, S2>,
    ) -> RouteTable<B, S2> {
        RouteTable {
            tree: self.tree.clone(),
            routes: self
                .routes
                .iter()
                .map(|entry| RouteEntry {
                    endpoint: map(&entry.endpoint),
                    info: Arc::clone(&entry.info),
                    kind: entry.kind,
                    hands_route: entry.hands_route,
                })
                .collect(),
        }
    }

    /// Adds `pattern`, leading to `endpoint`.
    ///
    /// A nested router's fallback only answers what is left under its prefix: a route added
    /// where one of its entries sits replaces that entry, and a fallback entry added where a
    /// route already is leaves the route in place. Two fallbacks for the same paths are refused.
    pub(crate) fn insert(
        &mut self,
        pattern: &str,
        endpoint: SharedEndpoint<B, S>,
        kind: EntryKind,
    ) -> Result<(), RouteError> {
        let pieces = match kind {
            EntryKind::Route => pattern::parse(pattern)?,
            EntryKind::NestedFallback | EntryKind::NestedService => {
                pattern::parse_internal(pattern)?
            }
        };
        let id = u32::try_from(self.routes.len())
            .map_err(|_| RouteError::invalid(pattern, "too many routes"))?;
        let names: Box<[Box<str>]> = pattern::param_names(&pieces).into();
        let entry = RouteEntry {
            endpoint,
            // A nested service takes the rest of the path from its hidden capture; a nested
            // fallback without parameters in its prefix needs nothing.
            hands_route: kind != EntryKind::NestedFallback || !names.is_empty(),
            info: Arc::new(RouteInfo {
                pattern: pattern.into(),
                names,
                user_route: kind == EntryKind::Route,
            }),
            kind,
        };
        let Err(err) = self.tree.insert(pattern, &pieces, id) else {
            self.routes.push(entry);
            return Ok(());
        };
        let existing = err
            .conflicts_with()
            .and_then(|existing| {
                self.routes
                    .iter()
                    .position(|entry| &*entry.info.pattern == existing)
            })
            .ok_or_else(|| err.clone())?;
        match (kind, self.routes[existing].kind) {
            (EntryKind::Route, EntryKind::Route) => Err(err),
            (EntryKind::Route, EntryKind::NestedFallback) => {
                self.routes.remove(existing);
                self.routes.push(entry);
                self.tree.replace_route(existing as u32, id - 1, pattern);
                Ok(())
            }
            (EntryKind::NestedFallback, EntryKind::Route) => Ok(()),
            (EntryKind::NestedService, _) | (_, EntryKind::NestedService) => {
                let existing = &self.routes[existing];
                let name = |kind: EntryKind, pattern: &str| match kind {
                    EntryKind::Route => format!("route `{pattern}`"),
                    EntryKind::NestedFallback => {
                        format!(
                            "the fallback of the router nested at `{}`",
                            nest_prefix(pattern)
                        )
                    }
                    EntryKind::NestedService => {
                        format!("the service nested at `{}`", nest_prefix(pattern))
                    }
                };
                Err(RouteError::invalid(
                    match kind {
                        EntryKind::Route => pattern,
                        _ => nest_prefix(pattern),
                    },
                    format!(
                        "{} would answer the same paths as {}: keep one",
                        name(kind, pattern),
                        name(existing.kind, &existing.info.pattern)
                    ),
                ))
            }
            (EntryKind::NestedFallback, EntryKind::NestedFallback) => {
                let prefix = nest_prefix(pattern);
                Err(RouteError::invalid(
                    prefix,
                    format!(
                        "the fallback of the router nested at `{prefix}` would answer the same \
                         paths as the fallback of the router already nested at `{}`: keep one \
                         (the paths under a prefix are answered one way)",
                        nest_prefix(&self.routes[existing].info.pattern)
                    ),
                ))
            }
        }
    }

    /// The entry a user's route of exactly this pattern made, if any.
    pub(crate) fn route_mut(&mut self, pattern: &str) -> Option<&mut RouteEntry<B, S>> {
        self.routes
            .iter_mut()
            .find(|entry| entry.kind == EntryKind::Route && &*entry.info.pattern == pattern)
    }
}

/// The nest prefix a nested fallback's entry was made for: its pattern is the prefix, the prefix
/// and `/`, or the prefix and `/{*}`.
fn nest_prefix(pattern: &str) -> &str {
    let head = pattern
        .strip_suffix(pattern::HIDDEN_REST)
        .unwrap_or(pattern);
    head.strip_suffix('/').unwrap_or(head)
}
