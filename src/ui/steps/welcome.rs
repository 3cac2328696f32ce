//! Welcome and consent: what will be collected, why, and who receives it. No camera opens and
//! nothing is sent before the member agrees here.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::session::Session;
use crate::ui::handoff::ContinueOnPhone;
use crate::ui::{BlockerMessage, StepHeading, StepNav};

#[component]
pub fn Welcome() -> impl IntoView {
    let session = expect_context::<Session>();
    let agreed = move || session.flow.with(|flow| flow.consented());
    let (title, collected) =
        crate::shell::welcome_content(session.flow.with_untracked(|flow| flow.settings().purpose));
    view! {
        <section class="idcheck-welcome">
            <StepHeading text=title/>
            <p>{session.text(Text::WelcomeIntro)}</p>
            <h2>{session.text(Text::WelcomeWhatTitle)}</h2>
            <ul class="idcheck-collect">
                {collected
                    .iter()
                    .map(|text| {
                        let text = *text;
                        view! { <li>{session.text(text)}</li> }
                    })
                    .collect_view()}
            </ul>
            <p>{session.text(Text::WelcomeWhy)}</p>
            <p>{session.text(Text::WelcomeWho)}</p>
            <p>{session.text(Text::WelcomeCamera)}</p>
            <label class="idcheck-consent">
                <input
                    type="checkbox"
                    name="consent"
                    prop:checked=agreed
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        session.flow.update(|flow| flow.set_consent(checked));
                        session.blocker.set(None);
                    }
                />
                <span>{session.text(Text::WelcomeConsent)}</span>
            </label>
            <BlockerMessage/>
            <StepNav/>
            <ContinueOnPhone/>
        </section>
    }
}
