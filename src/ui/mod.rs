//! The component's views. They render state and forward the member's actions; the rules that decide
//! what comes next live in `idcheck-core`.

pub mod steps;

use leptos::prelude::*;

use crate::i18n::{Lang, Text, t};

/// The language the component speaks now, shared with every step through context.
#[derive(Clone, Copy)]
pub struct Language(pub RwSignal<Lang>);

impl Language {
    /// The translated text for `key`, tracked so the view follows a language switch.
    pub fn t(self, key: Text) -> &'static str {
        t(self.0.get(), key)
    }
}

/// The browser's preferred languages, most preferred first.
fn browser_languages() -> Vec<String> {
    let navigator = window().navigator();
    let listed: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    if listed.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        listed
    }
}

/// The whole component.
#[component]
pub fn App() -> impl IntoView {
    let preferred = browser_languages();
    let lang = Language(RwSignal::new(Lang::from_preferences(
        preferred.iter().map(String::as_str),
    )));
    provide_context(lang);

    view! {
        <div class="idcheck" lang=move || lang.0.get().tag()>
            <header class="idcheck-bar">
                <LanguageSwitch/>
            </header>
            <main class="idcheck-step">
                <steps::welcome::Welcome/>
            </main>
        </div>
    }
}

/// Lets the member change the language at any point without losing what they entered.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let lang = expect_context::<Language>();
    view! {
        <label class="idcheck-lang">
            <span>{move || lang.t(Text::Language)}</span>
            <select on:change=move |ev| {
                if let Some(chosen) = Lang::from_tag(&event_target_value(&ev)) {
                    lang.0.set(chosen);
                }
            }>
                {Lang::ALL
                    .into_iter()
                    .map(|option| {
                        view! {
                            <option value=option.tag() selected=move || lang.0.get() == option>
                                {option.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
