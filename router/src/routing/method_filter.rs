//! [`MethodFilter`]: a set of methods one handler answers, as axum's.

use std::fmt;

use http::Method;

/// A set of HTTP methods: `on(MethodFilter::GET.or(MethodFilter::POST), handler)` routes both to
/// one handler. A [`Method`] converts into the set of itself, extension methods included, so
/// `on(Method::GET, handler)` works too.
#[derive(Clone, PartialEq, Eq)]
pub struct MethodFilter {
    standard: u16,
    extensions: Vec<Method>,
}

impl MethodFilter {
    /// `CONNECT`.
    pub const CONNECT: Self = Self::bit(7);
    /// `DELETE`.
    pub const DELETE: Self = Self::bit(4);
    /// `GET`.
    pub const GET: Self = Self::bit(0);
    /// `HEAD`.
    pub const HEAD: Self = Self::bit(1);
    /// `OPTIONS`.
    pub const OPTIONS: Self = Self::bit(6);
    /// `PATCH`.
    pub const PATCH: Self = Self::bit(5);
    /// `POST`.
    pub const POST: Self = Self::bit(2);
    /// `PUT`.
    pub const PUT: Self = Self::bit(3);
    /// `TRACE`.
    pub const TRACE: Self = Self::bit(8);

    const fn bit(slot: u16) -> Self {
        MethodFilter {
            standard: 1 << slot,
            extensions: Vec::new(),
        }
    }

    /// The methods of both sets.
    pub fn or(mut self, other: Self) -> Self {
        self.standard |= other.standard;
        for method in other.extensions {
            if !self.extensions.contains(&method) {
                self.extensions.push(method);
            }
        }
        self
    }

    /// Whether `method` is in the set.
    pub fn contains(&self, method: &Method) -> bool {
        match super::method_table::standard_slot(method) {
            Some(slot) => self.standard & (1 << slot) != 0,
            None => self.extensions.contains(method),
        }
    }

    /// The standard methods of the set by slot, then the extension methods.
    pub(crate) fn methods(&self) -> impl Iterator<Item = Method> + '_ {
        super::method_table::STANDARD
            .iter()
            .enumerate()
            .filter(|&(slot, _)| self.standard & (1 << slot) != 0)
            .map(|(_, method)| method.clone())
            .chain(self.extensions.iter().cloned())
    }
}

impl From<Method> for MethodFilter {
    fn from(method: Method) -> Self {
        match super::method_table::standard_slot(&method) {
            Some(slot) => MethodFilter::bit(slot as u16),
            None => MethodFilter {
                standard: 0,
                extensions: vec![method],
            },
        }
    }
}

impl fmt::Debug for MethodFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.methods()).finish()
    }
}
