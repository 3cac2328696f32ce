//! Welcome and consent: what will be collected, why, and who receives it. No camera opens and
//! nothing is sent before the member agrees here.

use leptos::prelude::*;

use crate::i18n::Text;
use crate::session::Session;
use crate::ui::{BlockerMessage, StepHeading, StepNav};

#[component]
pub fn Welcome() -> impl IntoView {
    let session = expect_context::<Session>();
    let agreed = move || session.flow.with(|flow| flow.consented());
    view! {
        <section class="idcheck-welcome">
            <StepHeading text=Text::WelcomeTitle/>
            <p>{move || session.t(Text::WelcomeIntro)}</p>
            <h2>{move || session.t(Text::WelcomeWhatTitle)}</h2>
            <ul class="idcheck-collect">
                <li>{move || session.t(Text::WelcomeWhatFace)}</li>
                <li>{move || session.t(Text::WelcomeWhatDocument)}</li>
                <li>{move || session.t(Text::WelcomeWhatDetails)}</li>
            </ul>
            <p>{move || session.t(Text::WelcomeWhy)}</p>
            <p>{move || session.t(Text::WelcomeWho)}</p>
            <p>{move || session.t(Text::WelcomeCamera)}</p>
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
                <span>{move || session.t(Text::WelcomeConsent)}</span>
            </label>
            <BlockerMessage/>
            <StepNav/>
        </section>
    }
}
