//! Macros for silent-tower, as axum's `macros` feature has them:
//!
//! - `#[debug_handler]` on a handler `async fn` turns the one error a wrong handler gets where
//!   it is routed ("`…` is not a handler") into one error per mistake, at the argument or
//!   function at fault: an argument that is not an extractor, a body extractor that is not the
//!   last argument, a future that is not `Send`, a return type that is not `IntoResponse`;
//! - `#[derive(FromRef)]` on an app's state struct implements `FromRef<State>` for the type of
//!   every field, so that handlers take `State<Field>`.
//!
//! Use them through the crate that re-exports them — `silent_tower::debug_handler` and
//! `silent_tower::extract::FromRef` (feature `macros`), or the same paths below
//! `silent_tower_router` — where their docs have examples: the code they write names that crate.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod debug_handler;
mod from_ref;

use proc_macro::TokenStream;
use quote::quote;

/// Checks a handler `async fn` rule by rule, each failure an error of its own where it is.
///
/// Re-exported as `silent_tower::debug_handler`; the examples are there. `#[debug_handler(state
/// = AppState)]` names the router's state when no argument is a `State<AppState>`;
/// `#[debug_handler(body = RequestBody)]` names the request body (hyper's `Incoming` unless
/// given). The function itself is left as it is.
#[proc_macro_attribute]
pub fn debug_handler(attr: TokenStream, item: TokenStream) -> TokenStream {
    debug_handler::expand(attr.into(), item.into(), quote!(::silent_tower)).into()
}

/// `#[debug_handler]` for code that names `silent_tower_router` instead of `silent_tower`;
/// re-exported there as `silent_tower_router::debug_handler`.
#[proc_macro_attribute]
pub fn router_debug_handler(attr: TokenStream, item: TokenStream) -> TokenStream {
    debug_handler::expand(attr.into(), item.into(), quote!(::silent_tower_router)).into()
}

/// Implements `FromRef<Struct>` for the type of each field of a state struct, cloning the
/// field: `State<Field>` then reads it from a router whose state is the struct.
///
/// Re-exported as `silent_tower::extract::FromRef`, beside the trait; the examples are there.
/// A field marked `#[from_ref(skip)]` gets no impl (two fields of one type cannot both have
/// one).
#[proc_macro_derive(FromRef, attributes(from_ref))]
pub fn derive_from_ref(item: TokenStream) -> TokenStream {
    from_ref::expand(item.into(), quote!(::silent_tower)).into()
}

/// `#[derive(FromRef)]` for code that names `silent_tower_router`; re-exported there as
/// `silent_tower_router::extract::FromRef`.
#[proc_macro_derive(RouterFromRef, attributes(from_ref))]
pub fn derive_router_from_ref(item: TokenStream) -> TokenStream {
    from_ref::expand(item.into(), quote!(::silent_tower_router)).into()
}
