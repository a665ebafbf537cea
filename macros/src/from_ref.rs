//! `#[derive(FromRef)]`: `impl FromRef<Struct> for Field { state.field.clone() }` for each field
//! not marked `#[from_ref(skip)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Fields, Index, Item, Member};

/// Expands the derive on `item`; `krate` is the path the router is reached by.
pub(crate) fn expand(item: TokenStream, krate: TokenStream) -> TokenStream {
    match impls(item, &krate) {
        Ok(impls) => impls,
        Err(error) => error.to_compile_error(),
    }
}

fn impls(item: TokenStream, krate: &TokenStream) -> syn::Result<TokenStream> {
    // Parsed as an item, not a `DeriveInput`: that would need syn's `derive` feature, and a
    // second build of syn beside the one the router's other macro crates already use.
    let input = match syn::parse2::<Item>(item)? {
        Item::Struct(input) => input,
        other => {
            return Err(syn::Error::new(
                other.span(),
                "`#[derive(FromRef)]` takes a struct: its fields are the parts of the state",
            ))
        }
    };
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "`#[derive(FromRef)]` takes a state struct without generic parameters",
        ));
    }
    let state = &input.ident;
    let mut impls = TokenStream::new();
    let fields = match &input.fields {
        Fields::Named(fields) => &fields.named,
        Fields::Unnamed(fields) => &fields.unnamed,
        Fields::Unit => return Ok(impls),
    };
    for (index, field) in fields.iter().enumerate() {
        if skipped(field)? {
            continue;
        }
        let member = match &field.ident {
            Some(name) => Member::Named(name.clone()),
            None => Member::Unnamed(Index::from(index)),
        };
        let ty = &field.ty;
        // With the field's span, a field whose type is not `Clone`, or a second field of one
        // type, is an error at that field.
        impls.extend(quote_spanned! {ty.span()=>
            impl #krate::extract::FromRef<#state> for #ty {
                fn from_ref(state: &#state) -> Self {
                    ::core::clone::Clone::clone(&state.#member)
                }
            }
        });
    }
    Ok(quote!(#impls))
}

/// Whether the field is marked `#[from_ref(skip)]`.
fn skipped(field: &syn::Field) -> syn::Result<bool> {
    let mut skip = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("from_ref")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error("unknown option: `#[from_ref]` takes `skip`"))
            }
        })?;
    }
    Ok(skip)
}
