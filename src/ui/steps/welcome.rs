//! Welcome and consent: what will be collected, why, and who receives it. No camera opens and
//! nothing is sent before the member agrees here.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::ui::Language;

#[component]
pub fn Welcome() -> impl IntoView {
    let lang = expect_context::<Language>();
    let agreed = RwSignal::new(false);
    let tried_without_consent = RwSignal::new(false);
    let heading = NodeRef::<leptos::html::H1>::new();

    // Focus the step's heading so screen readers announce where the member is.
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });

    let on_continue = move |_| {
        if !agreed.get() {
            tried_without_consent.set(true);
        }
    };

    view! {
        <section class="idcheck-welcome" aria-labelledby="idcheck-welcome-title">
            <h1 id="idcheck-welcome-title" tabindex="-1" node_ref=heading>
                {move || lang.t(Text::WelcomeTitle)}
            </h1>
            <p>{move || lang.t(Text::WelcomeIntro)}</p>
            <h2>{move || lang.t(Text::WelcomeWhatTitle)}</h2>
            <ul class="idcheck-collect">
                <li>{move || lang.t(Text::WelcomeWhatFace)}</li>
                <li>{move || lang.t(Text::WelcomeWhatDocument)}</li>
                <li>{move || lang.t(Text::WelcomeWhatDetails)}</li>
            </ul>
            <p>{move || lang.t(Text::WelcomeWhy)}</p>
            <p>{move || lang.t(Text::WelcomeWho)}</p>
            <label class="idcheck-consent">
                <input
                    type="checkbox"
                    name="consent"
                    prop:checked=move || agreed.get()
                    on:change=move |ev| {
                        agreed.set(event_target_checked(&ev));
                        tried_without_consent.set(false);
                    }
                />
                <span>{move || lang.t(Text::WelcomeConsent)}</span>
            </label>
            <p class="idcheck-error" role="alert" id="idcheck-consent-error">
                {move || tried_without_consent.get().then(|| lang.t(Text::WelcomeConsentNeeded))}
            </p>
            <button
                type="button"
                class="idcheck-primary"
                aria-describedby="idcheck-consent-error"
                on:click=on_continue
            >
                {move || lang.t(Text::Continue)}
            </button>
        </section>
    }
}
