//! What the standalone page's address may say. A token never travels in the query string (it would
//! stay in the history, in `Referer` headers and in server logs): it comes in the fragment
//! (`#token=…`), which browsers never send, and is removed from the address bar before anything
//! else runs. The address may not point the API elsewhere either: only the page's own attributes
//! (the host's decision) may name an API on another origin. The token is kept for the tab in
//! `sessionStorage`, so that a reload continues the visit without it ever returning to the address.

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
    let token = from_fragment
        .into_iter()
        .find(|(name, _)| name == "token")
        .map(|(_, token)| token);
    let dirty = token.is_some() || kept.len() != pairs(&url.search_params()).len();
    let storage = window.session_storage().ok().flatten();
    match token {
        Some(token) => {
            if let Some(storage) = &storage {
                let _ = storage.set_item(TOKEN_KEY, &token);
            }
            settings.push(("token".to_string(), token));
        }
        // A reload: the address no longer has it, the tab does.
        None => {
            if let Some(token) =
                storage.and_then(|storage| storage.get_item(TOKEN_KEY).ok().flatten())
            {
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
/// such a link hands over a token, load the page again so it starts with it.
pub fn reload_on_new_token() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let reload = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        if let Some(window) = web_sys::window()
            && window
                .location()
                .hash()
                .is_ok_and(|hash| hash.starts_with("#token="))
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
