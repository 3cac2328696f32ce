//! idcheck, the browser component: takes a coworking member through an identity or address check.
//!
//! The rules and the flow live in `idcheck-core`; this crate is the thin browser shell around them:
//! `widget` is what the module exports to host pages, `host` what an instance knows of its page,
//! `config` reads the host's settings, `session` holds one member's visit, `resume` keeps it across
//! a reload, `api` talks to the API, `poll` asks it for news at a polite pace, `camera` and
//! `browser` wrap the browser's facilities, `history` follows the back button, `i18n` names every
//! word (`translations` fetches the languages not built in), and `ui` renders it all.

pub mod api;
pub mod browser;
pub mod camera;
pub mod config;
pub mod history;
pub mod host;
pub mod i18n;
pub mod poll;
pub mod resume;
pub mod session;
pub mod translations;
pub mod ui;
pub mod widget;

pub use ui::App;

/// The settings of the page's query string, as `(name, value)` pairs for [`config::parse`].
pub fn query_settings() -> Vec<(String, String)> {
    let search = leptos::prelude::window()
        .location()
        .search()
        .unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Vec::new();
    };
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
