//! `#[debug_handler]`: the handler is left as it is, and beside it, in an anonymous `const`,
//! functions that are type-checked but never called make one check per rule — one per
//! argument, one for the future, one for the return type — each written with the span of what
//! it checks, so that its error points there.
//!
//! The checks themselves are types and traits of the router (`__private::debug_handler`), whose
//! `#[diagnostic::on_unimplemented]` messages say which rule: this crate only writes the calls.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, PathArguments, ReturnType, Token, Type};

/// Handlers take at most this many arguments, as the router's `Handler` impls do.
const MAX_ARGUMENTS: usize = 16;

/// `state = Type` and `body = Type`, both optional, in any order.
#[derive(Default)]
struct Options {
    state: Option<Type>,
    body: Option<Type>,
}

impl Parse for Options {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut options = Options::default();
        while !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            input.parse::<Token![=]>()?;
            let value: Type = input.parse()?;
            let slot =
                match key.to_string().as_str() {
                    "state" => &mut options.state,
                    "body" => &mut options.body,
                    _ => return Err(syn::Error::new(
                        key.span(),
                        "unknown option: `#[debug_handler]` takes `state = Type` and `body = Type`",
                    )),
                };
            if slot.replace(value).is_some() {
                return Err(syn::Error::new(
                    key.span(),
                    format!("`{key}` is given twice"),
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(options)
    }
}

/// Expands `#[debug_handler(attr)] item`; `krate` is the path the router is reached by.
pub(crate) fn expand(attr: TokenStream, item: TokenStream, krate: TokenStream) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(error) => return with_item(item, error),
    };
    let options: Options = match syn::parse2(attr) {
        Ok(options) => options,
        Err(error) => return with_item(item, error),
    };
    match checks(&function, options, &krate) {
        Ok(checks) => quote! {
            #function
            #checks
        },
        Err(error) => with_item(item, error),
    }
}

/// The item as it was, with the error: the one error is the macro's, not a second one about a
/// function gone missing.
fn with_item(item: TokenStream, error: syn::Error) -> TokenStream {
    let error = error.to_compile_error();
    quote! {
        #item
        #error
    }
}

/// The checks of `function`, or why it cannot be checked.
fn checks(function: &ItemFn, options: Options, krate: &TokenStream) -> syn::Result<TokenStream> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span(),
            "a handler must be an `async fn`",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        return Err(syn::Error::new(
            sig.generics.span(),
            "`#[debug_handler]` checks a handler of concrete types: it cannot check a generic \
             function (an argument of type `impl Trait` makes one too)",
        ));
    }
    let mut types = Vec::with_capacity(sig.inputs.len());
    for input in &sig.inputs {
        match input {
            FnArg::Typed(arg) => types.push(&*arg.ty),
            FnArg::Receiver(receiver) => {
                return Err(syn::Error::new(
                    receiver.span(),
                    "a handler is a free function: it cannot take `self`",
                ))
            }
        }
    }
    if types.len() > MAX_ARGUMENTS {
        return Err(syn::Error::new(
            sig.inputs.span(),
            format!("a handler takes at most {MAX_ARGUMENTS} arguments"),
        ));
    }
    if let Some(impl_trait) = types.iter().find(|ty| matches!(ty, Type::ImplTrait(_))) {
        return Err(syn::Error::new(
            impl_trait.span(),
            "`#[debug_handler]` checks a handler of concrete types: it cannot check an argument \
             of type `impl Trait`",
        ));
    }

    let private = quote!(#krate::__private::debug_handler);
    let state = match options.state.or_else(|| state_of(&types)) {
        Some(state) => quote!(#state),
        None => quote!(()),
    };
    let body = match options.body {
        Some(body) => quote!(#body),
        None => quote!(#private::DefaultBody),
    };

    let last = types.len();
    let arguments = types.iter().enumerate().map(|(index, ty)| {
        let position = index + 1;
        let rule = if position == last {
            quote_spanned!(ty.span()=> last)
        } else {
            quote_spanned!(ty.span()=> before_last)
        };
        quote_spanned! {ty.span()=>
            (&&&#private::Argument::<#ty, #state, #body>::new()).kind().#rule::<#position>();
        }
    });

    let returns = match &sig.output {
        // `impl IntoResponse` is checked by the compiler already, and cannot be named here.
        ReturnType::Type(_, ty) if !matches!(**ty, Type::ImplTrait(_)) => {
            quote_spanned! {ty.span()=>
                (&&#private::Returns::<#ty>::new()).kind().check();
            }
        }
        _ => TokenStream::new(),
    };

    let name = &sig.ident;
    let unreachable = types.iter().map(|ty| quote_spanned!(ty.span()=> panic!()));
    let future = quote_spanned! {name.span()=>
        #private::handler_future_must_be_send(#name(#(#unreachable),*));
    };

    let check_arguments = syn::Ident::new(&format!("__check_{name}_arguments"), Span::call_site());
    let check_future = syn::Ident::new(&format!("__check_{name}_future"), Span::call_site());
    Ok(quote! {
        // As axum's: checked in debug builds, where the errors are read; a release build does
        // not type-check them again.
        #[cfg(debug_assertions)]
        #[allow(warnings, clippy::all)]
        const _: () = {
            use #private::{ArgumentHead as _, ArgumentBody as _, ArgumentNone as _};
            use #private::{ReturnsResponse as _, ReturnsOther as _};

            fn #check_arguments() {
                #(#arguments)*
                #returns
            }

            // The arguments are never made: the function is only type-checked.
            #[allow(unreachable_code)]
            fn #check_future() {
                #future
            }
        };
    })
}

/// The router's state, as axum's macro guesses it: the `S` of the first `State<S>` argument.
fn state_of(types: &[&Type]) -> Option<Type> {
    types.iter().find_map(|ty| {
        let Type::Path(path) = ty else { return None };
        let last = path.path.segments.last()?;
        if last.ident != "State" {
            return None;
        }
        let PathArguments::AngleBracketed(generics) = &last.arguments else {
            return None;
        };
        match generics.args.first()? {
            GenericArgument::Type(state) if generics.args.len() == 1 => Some(state.clone()),
            _ => None,
        }
    })
}
