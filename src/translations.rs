//! The strings of languages other than English, fetched as static files when a member chooses or
//! prefers one. A language is fetched once per page and kept: its table never changes while the
//! page lives (the file's URL is versioned with the build), so every instance may read it. Nothing
//! waits for it: English shows until it arrives, and stays if it cannot.

use std::cell::RefCell;
use std::collections::BTreeMap;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::i18n::Lang;

type Table = BTreeMap<String, String>;

thread_local! {
    /// The languages fetched so far. Tables are leaked on purpose: at most one per language per
    /// page, and `t()` hands out `&'static str` so views need not own their texts.
    static LOADED: RefCell<Vec<(Lang, &'static Table)>> = const { RefCell::new(Vec::new()) };
}

#[wasm_bindgen(
    inline_js = "export function assets_base() { return new URL('../../', import.meta.url).href; }"
)]
extern "C" {
    /// The folder the component's files were loaded from: its snippets sit two levels below it.
    pub(crate) fn assets_base() -> String;
}

/// A form's text in `lang`, if that language's file was fetched and has it.
pub fn text(lang: Lang, key: &str) -> Option<&'static str> {
    if lang == Lang::En {
        return None;
    }
    let table = LOADED.with(|loaded| {
        loaded
            .borrow()
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, table)| *table)
    })?;
    table.get(key).map(String::as_str)
}

pub fn is_ready(lang: Lang) -> bool {
    lang == Lang::En || LOADED.with(|loaded| loaded.borrow().iter().any(|(l, _)| *l == lang))
}

/// Fetches `lang`'s strings, unless they are here already. The fetching and reading is a part of
/// its own (`parts::language`): a member who reads English never needs it.
pub(crate) async fn load(lang: Lang) -> Result<(), String> {
    if is_ready(lang) {
        return Ok(());
    }
    let file = lang.file().ok_or("no file for this language")?;
    let url = format!("{}{file}", assets_base());
    let response = gloo_net::http::Request::get(&url)
        .send()
        .await
        .map_err(|err| err.to_string())?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let table: Table = response.json().await.map_err(|err| err.to_string())?;
    let table: &'static Table = Box::leak(Box::new(table));
    LOADED.with(|loaded| {
        let mut loaded = loaded.borrow_mut();
        if !loaded.iter().any(|(l, _)| *l == lang) {
            loaded.push((lang, table));
        }
    });
    Ok(())
}

/// Fetches `lang`'s strings through the part that reads them.
async fn fetch(lang: Lang) -> Result<(), String> {
    match crate::parts::language(lang).await {
        Ok(loading) => loading.await,
        Err(_) => Err("the part that reads languages could not be fetched".into()),
    }
}

/// Runs `shown` once `wanted`'s strings are here (at once when they are), or `failed` if they
/// cannot be fetched. Free of Leptos: the first module's welcome step switches with it too.
pub fn when_loaded(wanted: Lang, shown: impl FnOnce() + 'static, failed: impl FnOnce() + 'static) {
    if is_ready(wanted) {
        shown();
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match fetch(wanted).await {
            Ok(()) => shown(),
            Err(_) => failed(),
        }
    });
}

/// Shows `wanted` in `shown` once its strings are here (at once when they are). On failure the
/// texts stay as they are and `failed` is told which language could not be loaded.
pub fn switch(shown: RwSignal<Lang>, wanted: Lang, failed: impl Fn(Lang) + 'static) {
    when_loaded(
        wanted,
        move || {
            // The view may be gone by the time a fetched language arrives.
            let _ = shown.try_set(wanted);
        },
        move || failed(wanted),
    );
}
