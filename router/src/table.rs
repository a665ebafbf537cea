//! The route table: the radix tree, and what each route it finds leads to.

use std::sync::Arc;

use crate::endpoint::SharedEndpoint;
use crate::error::RouteError;
use crate::params::RouteInfo;
use crate::pattern::{self, Piece};
use crate::tree;

pub(crate) struct RouteTable<B, S> {
    pub(crate) tree: tree::Node,
    pub(crate) routes: Vec<RouteEntry<B, S>>,
}

pub(crate) struct RouteEntry<B, S> {
    pub(crate) endpoint: SharedEndpoint<B, S>,
    pub(crate) info: Arc<RouteInfo>,
    pub(crate) kind: EntryKind,
    /// Whether the router puts [`PathParams`](crate::PathParams) in the request: only routes
    /// whose pattern has parameters do.
    pub(crate) exposes_params: bool,
}

/// What put an entry in the table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EntryKind {
    /// A route the user added.
    Route,
    /// A path under a nest prefix that the nested router's fallback answers.
    NestedFallback,
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
            endpoint: Arc::clone(&self.endpoint),
            info: Arc::clone(&self.info),
            kind: self.kind,
            exposes_params: self.exposes_params,
        }
    }
}

impl<B, S> RouteTable<B, S> {
    /// Adds `pattern`, leading to `endpoint`.
    pub(crate) fn insert(
        &mut self,
        pattern: &str,
        endpoint: SharedEndpoint<B, S>,
        kind: EntryKind,
    ) -> Result<(), RouteError> {
        let pieces = pattern::parse(pattern)?;
        let id = u32::try_from(self.routes.len())
            .map_err(|_| RouteError::invalid(pattern, "too many routes"))?;
        self.tree.insert(pattern, &pieces, id)?;
        let has_params = pieces
            .iter()
            .any(|piece| !matches!(piece, Piece::Static(_)));
        self.routes.push(RouteEntry {
            endpoint,
            info: Arc::new(RouteInfo {
                pattern: pattern.into(),
                names: pattern::param_names(&pieces).into(),
            }),
            kind,
            exposes_params: has_params,
        });
        Ok(())
    }

    /// The entry a user's route of exactly this pattern made, if any.
    pub(crate) fn route_mut(&mut self, pattern: &str) -> Option<&mut RouteEntry<B, S>> {
        self.routes
            .iter_mut()
            .find(|entry| entry.kind == EntryKind::Route && &*entry.info.pattern == pattern)
    }
}
