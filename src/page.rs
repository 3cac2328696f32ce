//! What the standalone page's address may say. A token never travels in the query string (it would
//! stay in the history, in `Referer` headers and in server logs): it comes in the fragment
//! (`#token=…`), which browsers never send, and is removed from the address bar before anything
//! else runs. The address may not point the API elsewhere either: only the page's own attributes
//! (the host's decision) may name an API on another origin. The token is kept for the tab in
//! `sessionStorage`, so that a reload continues the visit without it ever returning to the address.
//! A hand-off's link (`#handoff=…`, a single-use secret) is taken and removed the same way; once
//! redeemed, the member's token and the settings the other device handed on are kept for the tab
//! instead ([`keep_handed_over`]).

use wasm_bindgen::JsCast;
use web_sys::{Url, UrlSearchParams};

/// The settings of the page's address, read once at start. A token in the query string is handed
/// on as `token-in-query`, which the configuration refuses in plain words; an `api` or
/// `masstack-api` on another origin is dropped. Either way both leave the address bar.
pub fn settings() -> Vec<(String, String)> {
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    let Ok(href) = window.location().href() else {
        return Vec::new();
    };
    let Ok(url) = Url::new(&href) else {
        return Vec::new();
    };
    let origin = url.origin();
    let mut settings = Vec::new();
    let mut kept = Vec::new();
    for (name, value) in pairs(&url.search_params()) {
        match name.as_str() {
            "token" => settings.push(("token-in-query".to_string(), value)),
            "api" | "masstack-api" if !same_origin(&value, &href, &origin) => {}
            _ => {
                kept.push((name.clone(), value.clone()));
                settings.push((name, value));
            }
        }
    }
    let fragment = url.hash();
    let from_fragment = fragment
        .strip_prefix("#")
        .and_then(|fragment| UrlSearchParams::new_with_str(fragment).ok())
        .map(|params| pairs(&params))
        .unwrap_or_default();
    let named = |wanted: &str| {
        from_fragment
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|(_, value)| value.clone())
    };
    let (token, handoff) = (named("token"), named("handoff"));
    let dirty =
        token.is_some() || handoff.is_some() || kept.len() != pairs(&url.search_params()).len();
    let storage = window.session_storage().ok().flatten();
    let forget = |key: &str| {
        if let Some(storage) = &storage {
            let _ = storage.remove_item(key);
        }
    };
    match (handoff, token) {
        // A hand-off's link starts a visit of its own: nothing kept for an earlier one applies.
        (Some(code), _) => {
            forget(TOKEN_KEY);
            forget(HANDED_OVER_KEY);
            settings.push(("handoff".to_string(), code));
        }
        (None, Some(token)) => {
            forget(HANDED_OVER_KEY);
            if let Some(storage) = &storage {
                let _ = storage.set_item(TOKEN_KEY, &token);
            }
            settings.push(("token".to_string(), token));
        }
        // A reload: the address no longer has it, the tab does.
        (None, None) => {
            let kept = |key: &str| {
                storage
                    .as_ref()
                    .and_then(|storage| storage.get_item(key).ok().flatten())
            };
            let handed_over = kept(HANDED_OVER_KEY)
                .and_then(|form| UrlSearchParams::new_with_str(&form).ok())
                .map(|params| pairs(&params));
            if let Some(handed_over) = handed_over {
                settings.extend(handed_over);
            } else if let Some(token) = kept(TOKEN_KEY) {
                settings.push(("token".to_string(), token));
            }
        }
    }
    if dirty {
        // Rewrite the address without them before the component starts (and before the history
        // module writes a step's fragment): nothing after this point can copy them elsewhere.
        let params = UrlSearchParams::new().ok();
        if let Some(params) = &params {
            for (name, value) in &kept {
                params.append(name, value);
            }
        }
        let query = params
            .map(|p| String::from(p.to_string()))
            .unwrap_or_default();
        let clean = format!(
            "{}{}",
            url.pathname(),
            if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            }
        );
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
    }
    settings
}

/// A link followed in the same tab that differs only after the `#` does not reload the page: when
/// such a link hands over a token or a hand-off, load the page again so it starts with it.
pub fn reload_on_new_token() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let reload = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        if let Some(window) = web_sys::window()
            && window
                .location()
                .hash()
                .is_ok_and(|hash| hash.starts_with("#token=") || hash.starts_with("#handoff"))
        {
            let _ = window.location().reload();
        }
    });
    let _ = window.add_event_listener_with_callback("hashchange", reload.as_ref().unchecked_ref());
    // The standalone page listens for as long as it lives.
    reload.forget();
}

/// Where the tab keeps the token the address handed over.
const TOKEN_KEY: &str = "idcheck-page-token";
/// Where the tab keeps a redeemed hand-off's settings (its member's token among them).
const HANDED_OVER_KEY: &str = "idcheck-page-handed-over";

/// Keeps, for this tab, the settings of a visit a hand-off carried here (the member's token and
/// ids, and what the other device handed on), so that a reload continues it: the link that
/// brought it cannot be used twice.
pub fn keep_handed_over(settings: &[(String, String)]) {
    // Form-encoded, as the address is: the page reads it back at start, with no JSON parser.
    let storage = web_sys::window().and_then(|window| window.session_storage().ok().flatten());
    if let (Some(storage), Ok(form)) = (storage, UrlSearchParams::new()) {
        for (name, value) in settings {
            form.append(name, value);
        }
        let _ = storage.remove_item(TOKEN_KEY);
        let _ = storage.set_item(HANDED_OVER_KEY, &String::from(form.to_string()));
    }
}

fn pairs(params: &UrlSearchParams) -> Vec<(String, String)> {
    params
        .entries()
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pair = js_sys::Array::from(&entry);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// Whether `api` (absolute, or relative to the page) is on the page's own origin.
fn same_origin(api: &str, page: &str, origin: &str) -> bool {
    Url::new_with_base(api, page).is_ok_and(|url| url.origin() == origin)
}
