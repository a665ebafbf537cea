//! [`RouteError`]: why a route was refused when the router was built.

use std::fmt;

/// A route that cannot be added, with the reason and every route involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    kind: RouteErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum RouteErrorKind {
    Invalid {
        route: String,
        reason: String,
    },
    Conflict {
        route: String,
        existing: String,
        reason: Option<String>,
    },
}

impl RouteError {
    pub(crate) fn invalid(route: &str, reason: impl Into<String>) -> Self {
        RouteError {
            kind: RouteErrorKind::Invalid {
                route: route.to_owned(),
                reason: reason.into(),
            },
        }
    }

    pub(crate) fn conflict(route: &str, existing: &str) -> Self {
        RouteError {
            kind: RouteErrorKind::Conflict {
                route: route.to_owned(),
                existing: existing.to_owned(),
                reason: None,
            },
        }
    }

    /// A conflict between two routes of the same pattern, whose methods could not be merged.
    pub(crate) fn methods_conflict(route: &str, reason: impl Into<String>) -> Self {
        RouteError {
            kind: RouteErrorKind::Conflict {
                route: route.to_owned(),
                existing: route.to_owned(),
                reason: Some(reason.into()),
            },
        }
    }

    /// The route that was refused.
    pub fn route(&self) -> &str {
        match &self.kind {
            RouteErrorKind::Invalid { route, .. } | RouteErrorKind::Conflict { route, .. } => route,
        }
    }

    /// For a conflict, the route already registered that the refused one collides with.
    pub fn conflicts_with(&self) -> Option<&str> {
        match &self.kind {
            RouteErrorKind::Conflict { existing, .. } => Some(existing),
            RouteErrorKind::Invalid { .. } => None,
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RouteErrorKind::Invalid { route, reason } => {
                write!(f, "invalid route `{route}`: {reason}")
            }
            RouteErrorKind::Conflict {
                route,
                existing,
                reason: Some(reason),
            } => write!(
                f,
                "route `{route}` conflicts with the already registered route `{existing}`: {reason}"
            ),
            RouteErrorKind::Conflict {
                route,
                existing,
                reason: None,
            } => write!(
                f,
                "route `{route}` conflicts with the already registered route `{existing}`: both \
                 match exactly the same paths; a path takes one spelling of its parameters"
            ),
        }
    }
}

impl std::error::Error for RouteError {}
