//! Which document: the identity or address document types the host allows, by their human names.

use idcheck_core::flow::Purpose;
use idcheck_core::slots::DocumentKind;
use leptos::prelude::*;

use crate::i18n::{Text, document_text};
use crate::session::Session;
use crate::ui::{BlockerMessage, Choice, StepHeading, StepNav};

/// The form value of a document type: the API's number, which is stable across languages.
fn value(kind: DocumentKind) -> String {
    match kind {
        DocumentKind::Identity(document) => document.code().to_string(),
        DocumentKind::Address(document) => document.code().to_string(),
    }
}

#[component]
pub fn DocumentStep() -> impl IntoView {
    let session = expect_context::<Session>();
    let purpose = session
        .flow
        .with_untracked(|flow| flow.purpose())
        .unwrap_or(Purpose::Identity);
    let title = match purpose {
        Purpose::Identity => Text::DocumentTitleIdentity,
        Purpose::Address => Text::DocumentTitleAddress,
    };
    let choices = session
        .flow
        .with_untracked(|flow| flow.settings().document_choices(purpose));
    let chosen = move || session.flow.with(|flow| flow.document_kind());
    view! {
        <section class="idcheck-document">
            <StepHeading text=title/>
            <fieldset class="idcheck-choices">
                <legend class="idcheck-visually-hidden">{session.text(title)}</legend>
                {choices
                    .into_iter()
                    .map(|kind| {
                        view! {
                            <Choice
                                name="document"
                                value=value(kind)
                                checked=Signal::derive(move || chosen() == Some(kind))
                                picked=move || {
                                    session.flow.update(|flow| flow.choose_document(kind));
                                    session.blocker.set(None);
                                }
                                title=document_text(kind)
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
