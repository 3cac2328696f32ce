//! idcheck, the browser component: takes a coworking member through an identity or address check.
//!
//! The rules and the flow live in `idcheck-core`; this crate is the thin browser shell around them:
//! `config` reads the host's settings, `session` holds one member's visit, `api` talks to the API,
//! `camera` and `browser` wrap the browser's facilities, `history` follows the back button, `i18n`
//! holds every word, and `ui` renders it all.

pub mod api;
pub mod browser;
pub mod camera;
pub mod config;
pub mod history;
pub mod i18n;
pub mod session;
pub mod ui;

pub use ui::App;

/// The settings a standalone page gives: the `data-*` attributes of `<body>` first, then the query
/// string, as `(name, value)` pairs for [`config::parse`].
pub fn page_settings() -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let document = leptos::prelude::document();
    if let Some(body) = document.body() {
        let attributes = body.attributes();
        for index in 0..attributes.length() {
            if let Some(attribute) = attributes.item(index)
                && let Some(name) = attribute.name().strip_prefix("data-")
            {
                pairs.push((name.to_string(), attribute.value()));
            }
        }
    }
    let search = leptos::prelude::window()
        .location()
        .search()
        .unwrap_or_default();
    if let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
        for entry in params.entries() {
            let Ok(entry) = entry else { continue };
            let pair = js_sys::Array::from(&entry);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                pairs.push((name, value));
            }
        }
    }
    pairs
}
