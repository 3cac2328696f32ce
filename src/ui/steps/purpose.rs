//! What to verify: the member's identity or their address (when the host leaves it to them).

use idcheck_core::flow::Purpose;
use leptos::prelude::*;

use crate::i18n::Text;
use crate::session::Session;
use crate::ui::{BlockerMessage, StepHeading, StepNav};

#[component]
pub fn PurposeStep() -> impl IntoView {
    let session = expect_context::<Session>();
    let chosen = move || session.flow.with(|flow| flow.purpose());
    view! {
        <section class="idcheck-purpose">
            <StepHeading text=Text::PurposeTitle/>
            <fieldset class="idcheck-choices">
                <legend class="idcheck-visually-hidden">{session.text(Text::PurposeTitle)}</legend>
                {Purpose::ALL
                    .into_iter()
                    .map(|purpose| {
                        let (title, hint, value) = match purpose {
                            Purpose::Identity => (Text::PurposeIdentity, Text::PurposeIdentityHint, "identity"),
                            Purpose::Address => (Text::PurposeAddress, Text::PurposeAddressHint, "address"),
                        };
                        view! {
                            <label class="idcheck-choice">
                                <input
                                    type="radio"
                                    name="purpose"
                                    value=value
                                    prop:checked=move || chosen() == Some(purpose)
                                    on:change=move |_| {
                                        session.flow.update(|flow| flow.choose_purpose(purpose));
                                        session.blocker.set(None);
                                    }
                                />
                                <span class="idcheck-choice-text">
                                    <strong>{session.text(title)}</strong>
                                    <span>{session.text(hint)}</span>
                                </span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <BlockerMessage/>
            <StepNav back=true/>
        </section>
    }
}
