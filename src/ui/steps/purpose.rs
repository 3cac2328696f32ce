//! What to verify: the member's identity or their address (when the host leaves it to them).

use idcheck_core::flow::Purpose;
use leptos::prelude::*;

use crate::i18n::Text;
use crate::session::Session;
use crate::ui::{BlockerMessage, Choice, StepHeading, StepNav};

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
                            <Choice
                                name="purpose"
                                value=value.to_string()
                                checked=Signal::derive(move || chosen() == Some(purpose))
                                picked=move || {
                                    session.flow.update(|flow| flow.choose_purpose(purpose));
                                    session.blocker.set(None);
                                }
                                title
                                hint
                            />
                        }
                    })
                    .collect_view()}
            </fieldset>
            <BlockerMessage/>
            <StepNav back=true/>
        </section>
    }
}
