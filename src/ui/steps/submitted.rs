//! After submitting: the record ids and the check's status, polled (see `poll`) until a reviewer decides, with
//! the reviewer's notes after a failure and a way to send new images, as the Nexudus portal offers.

use idcheck_core::model::VerificationStatus;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::CheckState;
use crate::i18n::{Text, fill, status_text};
use crate::poll::{Next, poll};
use crate::session::Session;
use crate::ui::StepHeading;

/// What is known of the check's status.
#[derive(Debug, Clone, PartialEq)]
enum Known {
    Checking,
    Status(VerificationStatus, Option<String>),
    Unavailable,
}

fn settled(status: VerificationStatus) -> bool {
    matches!(
        status,
        VerificationStatus::Successful | VerificationStatus::Failed | VerificationStatus::Cancelled
    )
}

#[component]
pub fn Submitted() -> impl IntoView {
    let session = expect_context::<Session>();
    let (check_id, document_id) = session.flow.with_untracked(|flow| {
        let submission = flow.submission();
        (
            submission.check_id.unwrap_or_default(),
            submission.document_id.unwrap_or_default(),
        )
    });
    let known = RwSignal::new(Known::Checking);
    let api = session.api.get_value();
    let every = session.config.with_value(|config| config.poll_seconds);
    spawn_local(poll(
        every,
        move || {
            let api = api.clone();
            async move {
                let check: CheckState = api.check(check_id).await?;
                Ok((check.verification_status, check.last_error))
            }
        },
        move |answer| {
            let now = match answer {
                Ok((status, notes)) => Known::Status(*status, notes.clone()),
                Err(_) => Known::Unavailable,
            };
            let gone = known.try_set(now).is_some();
            match answer {
                _ if gone => Next::Stop,
                Ok((status, _)) if settled(*status) => Next::Stop,
                _ => Next::Continue,
            }
        },
    ));

    let records = move || {
        fill(
            session.t(Text::SubmittedRecords),
            &[
                ("check", &check_id.to_string()),
                ("document", &document_id.to_string()),
            ],
        )
    };
    let status_words = move || match known.get() {
        Known::Checking => session.t(Text::StatusChecking).to_string(),
        Known::Unavailable => session.t(Text::StatusUnavailable).to_string(),
        Known::Status(status, _) => session.t(status_text(status)).to_string(),
    };
    let failed_notes = move || match known.get() {
        Known::Status(VerificationStatus::Failed, notes) => Some(notes.unwrap_or_default()),
        _ => None,
    };

    view! {
        <section class="idcheck-submitted">
            <StepHeading text=Text::SubmittedTitle/>
            <p class="idcheck-records">{records}</p>
            <p class="idcheck-status">
                <span>{session.text(Text::SubmittedStatus)} ": "</span>
                <strong aria-live="polite" data-status=move || match known.get() {
                    Known::Status(status, _) => status.api_name().to_string(),
                    _ => String::new(),
                }>{status_words}</strong>
            </p>
            {move || failed_notes().map(|notes| view! {
                <div class="idcheck-failure">
                    <h2>{session.t(Text::ReviewerNotes)}</h2>
                    <p class="idcheck-notes">{notes}</p>
                    <button type="button" class="idcheck-primary" on:click=move |_| session.resubmit()>
                        {session.t(Text::SendNewImages)}
                    </button>
                </div>
            })}
            <Show when=move || session.flow.with(|flow| flow.has_next_purpose())>
                <button type="button" class="idcheck-primary" on:click=move |_| session.continue_with_next_purpose()>
                    {session.text(Text::NextPurpose)}
                </button>
            </Show>
        </section>
    }
}
