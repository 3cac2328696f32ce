//! The identity document's details, checked with the shared rules as the member types and leaves
//! each field, in plain words next to the field.
//!
//! Each message is spoken once: a field's error is its description (`aria-describedby`), not a live
//! region, and a refused Continue moves focus to the first field in error, so a screen reader reads
//! that field with its message instead of hearing every message at once from the page.

use std::collections::BTreeSet;

use idcheck_core::flow::{Blocker, Details as Answers};
use idcheck_core::rules;
use idcheck_core::violation::Violation;
use leptos::prelude::*;

use crate::browser;
use crate::i18n::{Text, violation_text};
use crate::session::Session;
use crate::ui::{StepHeading, StepNav};

/// One input of the step, named by the API property its rule reports.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Number,
    IssuedBy,
    Expires,
}

impl Field {
    const ALL: [Field; 3] = [Field::Number, Field::IssuedBy, Field::Expires];

    fn property(self) -> &'static str {
        match self {
            Field::Number => "IdentityDocumentNumber",
            Field::IssuedBy => "IdentityDocumentIssuedBy",
            Field::Expires => "IdentityDocumentExpirationDate",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Field::Number => "number",
            Field::IssuedBy => "issued-by",
            Field::Expires => "expires",
        }
    }

    fn label(self) -> Text {
        match self {
            Field::Number => Text::DetailsNumber,
            Field::IssuedBy => Text::DetailsIssuedBy,
            Field::Expires => Text::DetailsExpires,
        }
    }

    fn value(self, answers: &Answers) -> String {
        match self {
            Field::Number => answers.number.clone(),
            Field::IssuedBy => answers.issued_by.clone(),
            Field::Expires => answers.expires.clone(),
        }
    }

    fn set(self, answers: &mut Answers, value: String) {
        match self {
            Field::Number => answers.number = value,
            Field::IssuedBy => answers.issued_by = value,
            Field::Expires => answers.expires = value,
        }
    }

    /// The shared rule for this field: the same function the server runs.
    fn check(self, answers: &Answers) -> Option<Violation> {
        match self {
            Field::Number => rules::check_document_number(&answers.number),
            Field::IssuedBy => rules::check_issued_by(&answers.issued_by),
            Field::Expires => rules::check_expiration_date(&answers.expires, browser::today()),
        }
    }

    fn max_length(self) -> Option<usize> {
        match self {
            Field::Number => Some(rules::DOCUMENT_NUMBER_MAX_CHARS),
            Field::IssuedBy => Some(rules::ISSUED_BY_MAX_CHARS),
            Field::Expires => None,
        }
    }
}

#[component]
pub fn Details() -> impl IntoView {
    let session = expect_context::<Session>();
    // Fields the member has left, or all of them after a Continue: errors show only then, so
    // nobody is told off for a field they have not reached yet.
    let touched = RwSignal::new(BTreeSet::<Field>::new());
    let inputs = Field::ALL.map(|field| (field, NodeRef::<leptos::html::Input>::new()));
    Effect::new(move |_| {
        if let Some(Blocker::Invalid(violations)) = session.blocker.get() {
            touched.set(Field::ALL.into_iter().collect());
            let first = inputs.iter().find(|(field, _)| {
                violations
                    .iter()
                    .any(|violation| violation.property == field.property())
            });
            if let Some(input) = first.and_then(|(_, input)| input.get_untracked()) {
                let _ = input.focus();
            }
        }
    });
    // A field the server rejected shows the server's words until the member edits it.
    let fields = inputs
        .into_iter()
        .map(|(field, input)| view! { <DetailField field touched input/> })
        .collect_view();
    view! {
        <section class="idcheck-details">
            <StepHeading text=Text::DetailsTitle/>
            <p>{session.text(Text::DetailsIntro)}</p>
            <form class="idcheck-form" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                session.next();
            }>
                {fields}
            </form>
            <StepNav back=true/>
        </section>
    }
}

#[component]
fn DetailField(
    field: Field,
    touched: RwSignal<BTreeSet<Field>>,
    input: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let value = move || session.flow.with(|flow| field.value(flow.details()));
    let server_error = move || {
        session.server_errors.with(|errors| {
            errors
                .iter()
                .find(|error| error.property == field.property())
                .map(|error| error.message.clone())
        })
    };
    let error = move || {
        if let Some(message) = server_error() {
            return Some(format!("{} {message}", session.t(Text::ErrorServerSaid)));
        }
        if !touched.with(|touched| touched.contains(&field)) {
            return None;
        }
        session
            .flow
            .with(|flow| field.check(flow.details()))
            .map(|violation| session.t(violation_text(&violation)).to_string())
    };
    let input_id = session.id(field.id());
    let error_id = format!("{input_id}-error");
    let hint_id = format!("{input_id}-hint");
    let hint = (field == Field::IssuedBy).then(|| {
        view! { <span class="idcheck-hint" id=hint_id.clone()>{session.text(Text::DetailsIssuedByHint)}</span> }
    });
    let described_by = if field == Field::IssuedBy {
        format!("{hint_id} {error_id}")
    } else {
        error_id.clone()
    };
    view! {
        <div class="idcheck-field">
            <label for=input_id.clone()>{session.text(field.label())}</label>
            {hint}
            <input
                node_ref=input
                id=input_id
                name=field.property()
                type=if field == Field::Expires { "date" } else { "text" }
                dir="auto"
                autocomplete="off"
                maxlength=field.max_length().map(|max| max.to_string())
                prop:value=value
                aria-invalid=move || if error().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    session.flow.update(|flow| {
                        let mut answers = flow.details().clone();
                        field.set(&mut answers, typed);
                        flow.edit_details(answers);
                    });
                    session.server_errors.update(|errors| {
                        errors.retain(|error| error.property != field.property())
                    });
                }
                on:focus=move |ev| {
                    // Keep the field in view above an on-screen keyboard (phones, kiosk tablets).
                    let field: web_sys::HtmlElement = event_target(&ev);
                    let options = web_sys::ScrollIntoViewOptions::new();
                    options.set_block(web_sys::ScrollLogicalPosition::Center);
                    field.scroll_into_view_with_scroll_into_view_options(&options);
                }
                on:blur=move |_| touched.update(|touched| {
                    touched.insert(field);
                })
            />
            <p class="idcheck-error" id=error_id>{error}</p>
        </div>
    }
}
