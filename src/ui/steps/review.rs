//! Review and submit: a summary with thumbnails and "change" links, then the submission's progress,
//! and on failure a plain explanation with a retry that resumes where it stopped.

use idcheck_core::date::Date;
use idcheck_core::flow::{Milestone, Purpose, Step};
use idcheck_core::slots::Slot;
use leptos::prelude::*;

use crate::i18n::{self, Text, document_text};
use crate::session::{Session, SubmitState, failure_text, milestone_text};
use crate::ui::{BlockerMessage, Picture, StepHeading};

fn slot_text(slot: Slot) -> Text {
    match slot {
        Slot::Photo => Text::SlotPhoto,
        Slot::Front => Text::SlotFront,
        Slot::Back => Text::SlotBack,
    }
}

/// What a "Change" button changes, as its accessible name: several of them sit on one page, and a
/// screen reader's list of buttons would otherwise read "Change" five times.
fn change_text(step: Step) -> Text {
    match step {
        Step::Capture(Slot::Photo) => Text::ReviewChangePhoto,
        Step::Capture(Slot::Front) => Text::ReviewChangeFront,
        Step::Capture(Slot::Back) => Text::ReviewChangeBack,
        Step::Details => Text::ReviewChangeDetails,
        _ => Text::ReviewChangeDocument,
    }
}

#[component]
pub fn Review() -> impl IntoView {
    let session = expect_context::<Session>();
    let running = move || matches!(session.submit.get(), SubmitState::Running(_));
    let started = move || {
        session
            .flow
            .with(|flow| flow.submission().check_id.is_some())
    };
    let purpose = move || session.flow.with(|flow| flow.purpose());
    let kind = move || session.flow.with(|flow| flow.document_kind());
    let details = move || session.flow.with(|flow| flow.details().clone());

    let change = move |step: Step| {
        view! {
            <Show when=move || !started() && !running()>
                <button
                    type="button"
                    class="idcheck-link"
                    aria-label=session.text(change_text(step))
                    on:click=move |_| {
                        session.go_to(step);
                    }
                >
                    {session.text(Text::ReviewChange)}
                </button>
            </Show>
        }
    };

    let thumbnails = move || {
        session
            .flow
            .with(|flow| flow.slots_to_send())
            .into_iter()
            .map(|slot| {
                let image = session.images.with(|images| images.get(&slot).cloned());
                view! {
                    <figure class="idcheck-thumb">
                        {image.map(|image| view! {
                            <Picture image class="idcheck-thumb-picture" label=slot_text(slot)/>
                        })}
                        <figcaption>
                            {session.text(slot_text(slot))}
                            " "
                            {change(Step::Capture(slot))}
                        </figcaption>
                    </figure>
                }
            })
            .collect_view()
    };

    view! {
        <section class="idcheck-review">
            <StepHeading text=Text::ReviewTitle/>
            <dl class="idcheck-summary">
                <div>
                    <dt>{session.text(Text::ReviewWhat)}</dt>
                    <dd>{move || session.t(match purpose() {
                        Some(Purpose::Address) => Text::PurposeAddress,
                        _ => Text::PurposeIdentity,
                    })}</dd>
                </div>
                <div>
                    <dt>{session.text(Text::ReviewDocument)}</dt>
                    <dd>
                        {move || kind().map(|kind| session.t(document_text(kind)))}
                        " "
                        {change(Step::DocumentType)}
                    </dd>
                </div>
                <Show when=move || purpose() == Some(Purpose::Identity)>
                    <div>
                        <dt>{session.text(Text::DetailsNumber)}</dt>
                        <dd><bdi>{move || details().number}</bdi> " " {change(Step::Details)}</dd>
                    </div>
                    <div>
                        <dt>{session.text(Text::DetailsIssuedBy)}</dt>
                        <dd><bdi>{move || details().issued_by}</bdi></dd>
                    </div>
                    <div>
                        <dt>{session.text(Text::DetailsExpires)}</dt>
                        <dd>{move || {
                            let typed = details().expires;
                            Date::parse(typed.trim()).map_or(typed, |day| i18n::date(session.lang.get(), day))
                        }}</dd>
                    </div>
                </Show>
            </dl>
            <div class="idcheck-thumbs">{thumbnails}</div>
            <SubmitProgress/>
            <BlockerMessage/>
            <div class="idcheck-nav">
                <button
                    type="button"
                    class="idcheck-primary"
                    disabled=running
                    on:click=move |_| session.submit()
                >
                    {move || {
                        let key = match session.submit.get() {
                            SubmitState::Running(_) => Text::ReviewSending,
                            SubmitState::Failed { .. } => Text::Retry,
                            SubmitState::Idle => Text::ReviewSubmit,
                        };
                        session.t(key)
                    }}
                </button>
                <Show when=move || !running()>
                    <button type="button" class="idcheck-secondary" on:click=move |_| session.back()>
                        {session.text(Text::Back)}
                    </button>
                </Show>
            </div>
        </section>
    }
}

/// The milestones of submitting, each ticked as it completes, and what failed if something did.
#[component]
fn SubmitProgress() -> impl IntoView {
    let session = expect_context::<Session>();
    let rows = [
        (Milestone::CreateCheck, Text::ProgressCheck),
        (Milestone::StoreImage(Slot::Photo), Text::ProgressImage),
        (Milestone::CreateDocument, Text::ProgressDocument),
    ];
    let done = move |milestone: Milestone| {
        session.flow.with(|flow| {
            let submission = flow.submission();
            match milestone {
                Milestone::CreateCheck => submission.check_id.is_some(),
                Milestone::StoreImage(_) => {
                    submission.check_id.is_some()
                        && flow
                            .slots_to_send()
                            .iter()
                            .all(|slot| submission.stored.contains_key(slot))
                }
                Milestone::CreateDocument | Milestone::Done => submission.document_id.is_some(),
            }
        })
    };
    let current = move || match session.submit.get() {
        SubmitState::Running(milestone) | SubmitState::Failed { at: milestone, .. } => {
            Some(milestone)
        }
        SubmitState::Idle => None,
    };
    let same_row =
        |a: Milestone, b: Milestone| std::mem::discriminant(&a) == std::mem::discriminant(&b);
    view! {
        <Show when=move || current().is_some() || done(Milestone::CreateCheck)>
            <ol class="idcheck-milestones" aria-label=session.text(Text::ReviewSending)>
                {rows.into_iter().map(|(milestone, text)| view! {
                    <li
                        class:idcheck-done=move || done(milestone)
                        class:idcheck-current=move || current().is_some_and(|c| same_row(c, milestone)) && !done(milestone)
                    >
                        {session.text(text)}
                    </li>
                }).collect_view()}
            </ol>
        </Show>
        {move || match session.submit.get() {
            SubmitState::Failed { at, error, .. } => Some(view! {
                <div class="idcheck-failure" role="alert">
                    <p>{session.t(failure_text(&error))}</p>
                    <p>{session.t(Text::FailedAt)} " " {session.t(milestone_text(at))}</p>
                </div>
            }),
            _ => None,
        }}
    }
}
