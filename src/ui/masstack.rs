//! The MasStack branch (seed 004): instead of images reviewed by the operator, the member's identity
//! document is identified by MasStack. The member agrees, types their name and document (checked
//! with the core's rules, including the NIF/NIE check letter), the identification is created, and
//! its state is shown and followed; it can be cancelled with a reason.

use std::collections::BTreeSet;

use idcheck_core::date::Date;
use idcheck_core::masstack::{
    self, CreateIdentityDocumentIdentificationRequest, DocumentType, Identification,
    IdentificationState, IdentityDocument, MasCode, Scoring,
};
use idcheck_core::violation::Violation;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{Api, ApiError, FieldError, retrying_lost};
use crate::browser;
use crate::config::MasStackSettings;
use crate::host::{Detail, Event};
use crate::i18n::{self, Lang, Text, fill};
use crate::poll::{Next, poll};
use crate::session::{Session, failure_text};
use crate::ui::{Choice, StepHeading};

/// Where the member is in this branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Welcome,
    Form,
    Started,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Welcome => "welcome",
            Stage::Form => "details",
            Stage::Started => "submitted",
        }
    }
}

/// What the member typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Form {
    first_name: String,
    last_name: String,
    kind: Option<DocumentType>,
    number: String,
    country: String,
}

const NAME: &str = "name";
const LAST_NAME: &str = "last_name";
const TYPE: &str = "identity_document.document_type";
const NUMBER: &str = "identity_document.document_number";
const COUNTRY: &str = "identity_document.country";

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl Form {
    /// The create body, from the member's answers and the host's settings.
    fn request(&self, settings: &MasStackSettings) -> CreateIdentityDocumentIdentificationRequest {
        CreateIdentityDocumentIdentificationRequest {
            name: optional(&self.first_name),
            last_name: optional(&self.last_name),
            identity_document: Some(IdentityDocument {
                document_number: optional(&self.number),
                document_type: self.kind,
                country: optional(&self.country).map(|country| country.to_ascii_uppercase()),
            }),
            configuration_name: settings.configuration,
            expires_in: Some(settings.expires_in.clone()),
            scoring: settings.scoring.map(|provider| Scoring {
                provider: Some(provider),
            }),
        }
    }
}

/// The plain words for a broken rule, next to its field.
fn violation_words(
    session: Session,
    violation: &Violation<MasCode>,
    kind: Option<DocumentType>,
) -> String {
    let text = match (&violation.code, violation.property.as_str()) {
        (MasCode::WrongCheckLetter { expected }, _) => {
            return fill(
                session.t(Text::MasErrorWrongLetter),
                &[("letter", &expected.to_string())],
            );
        }
        (MasCode::Required, TYPE) => Text::MasErrorTypeNeeded,
        (MasCode::Required, _) => Text::MasErrorRequiredNumber,
        (MasCode::InvalidFormat, NUMBER) => match kind {
            Some(DocumentType::Nif) => Text::MasErrorFormatNif,
            Some(DocumentType::Nie) => Text::MasErrorFormatNie,
            _ => Text::MasErrorFormatPassport,
        },
        (MasCode::UnknownCountry | MasCode::InvalidFormat, COUNTRY) => Text::MasErrorCountry,
        (MasCode::TooLong, _) => Text::ErrorTooLong,
        _ => return format!("{} {}", session.t(Text::ErrorServerSaid), violation.message),
    };
    session.t(text).to_string()
}

#[component]
pub fn MasStackView(settings: MasStackSettings) -> impl IntoView {
    let session = expect_context::<Session>();
    let api = session.config.with_value(|config| {
        Api::new(
            settings.api_base.clone(),
            config.token.clone(),
            session.host.with_value(|host| host.token_provider.clone()),
        )
        .with_deadlines(config.deadlines)
    });
    let api = StoredValue::new_local(api);
    let settings = StoredValue::new(settings);
    let stage = RwSignal::new(Stage::Welcome);
    let identification = RwSignal::new(None::<Identification>);
    Effect::new(move |_| {
        let stage = stage.get();
        session.emit(Event::StepChanged, &[("step", Detail::Text(stage.name()))]);
    });
    let started = move |created: Identification| {
        session.emit(
            Event::Completed,
            &[
                ("identificationId", Detail::Text(&created.id)),
                ("purpose", Detail::Text("identity")),
            ],
        );
        identification.set(Some(created));
        stage.set(Stage::Started);
    };
    view! {
        {move || match stage.get() {
            Stage::Welcome => view! { <MasWelcome on_agree=move || stage.set(Stage::Form)/> }.into_any(),
            Stage::Form => view! { <MasForm api settings on_started=started/> }.into_any(),
            Stage::Started => view! { <MasStarted api settings identification/> }.into_any(),
        }}
    }
}

#[component]
fn MasWelcome(on_agree: impl Fn() + Copy + 'static) -> impl IntoView {
    let session = expect_context::<Session>();
    let agreed = RwSignal::new(false);
    let refused = RwSignal::new(false);
    view! {
        <section class="idcheck-welcome">
            <StepHeading text=Text::MasWelcomeTitle/>
            <p>{session.text(Text::MasWelcomeIntro)}</p>
            <h2>{session.text(Text::WelcomeWhatTitle)}</h2>
            <ul class="idcheck-collect">
                <li>{session.text(Text::MasWelcomeWhat)}</li>
            </ul>
            <p class="idcheck-note"><strong>{session.text(Text::MasWelcomeNoImages)}</strong></p>
            <p>{session.text(Text::MasWelcomeWho)}</p>
            <label class="idcheck-consent">
                <input
                    type="checkbox"
                    name="consent"
                    prop:checked=move || agreed.get()
                    on:change=move |ev| {
                        agreed.set(event_target_checked(&ev));
                        refused.set(false);
                    }
                />
                <span>{session.text(Text::MasConsent)}</span>
            </label>
            <p class="idcheck-error" role="alert">
                {move || refused.get().then(|| session.t(Text::WelcomeConsentNeeded))}
            </p>
            <div class="idcheck-nav">
                <button type="button" class="idcheck-primary" on:click=move |_| {
                    if agreed.get_untracked() {
                        on_agree();
                    } else {
                        refused.set(true);
                        session.announce(Text::WelcomeConsentNeeded);
                    }
                }>
                    {session.text(Text::Continue)}
                </button>
            </div>
        </section>
    }
}

#[component]
fn MasForm(
    api: StoredValue<Api, LocalStorage>,
    settings: StoredValue<MasStackSettings>,
    on_started: impl Fn(Identification) + Copy + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let form = RwSignal::new(Form {
        country: "ES".into(),
        ..Form::default()
    });
    let touched = RwSignal::new(BTreeSet::<&'static str>::new());
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiError>);
    // The last request sent and its `Idempotency-Key`.
    let sent = StoredValue::new(None::<(String, String)>);
    let violations = move || {
        form.with(|form| masstack::check_create_request(&settings.with_value(|s| form.request(s))))
    };
    let error_for = move |field: &'static str| {
        if let Some(error) =
            server_errors.with(|errors| errors.iter().find(|e| e.property == field).cloned())
        {
            return Some(format!(
                "{} {}",
                session.t(Text::ErrorServerSaid),
                error.message
            ));
        }
        if !touched.with(|touched| touched.contains(field)) {
            return None;
        }
        let kind = form.with(|form| form.kind);
        violations()
            .into_iter()
            .find(|violation| violation.property == field)
            .map(|violation| violation_words(session, &violation, kind))
    };
    let submit = move || {
        touched.set(
            [NAME, LAST_NAME, TYPE, NUMBER, COUNTRY]
                .into_iter()
                .collect(),
        );
        if !violations().is_empty() || busy.get_untracked() {
            session.announce(Text::FailedRejected);
            return;
        }
        busy.set(true);
        failure.set(None);
        let request = form.with_untracked(|form| settings.with_value(|s| form.request(s)));
        // The same request sent again (after a lost answer) carries the same key, so it cannot
        // create a second identification; a changed form is a new request with a new key.
        let body = serde_json::to_string(&request).unwrap_or_default();
        let key = sent.with_value(|sent| {
            sent.as_ref()
                .filter(|(sent_body, _)| *sent_body == body)
                .map(|(_, key)| key.clone())
        });
        let key = key.unwrap_or_else(|| format!("idcheck-mas-{}", browser::random_reference()));
        sent.set_value(Some((body, key.clone())));
        let org = settings.with_value(|s| s.org.clone());
        let api = api.get_value();
        spawn_local(async move {
            let created = retrying_lost(|| api.create_identification(&org, &request, Some(&key)));
            match created.await {
                Ok(created) => on_started(created),
                Err(ApiError::Rejected(errors)) => {
                    let _ = server_errors.try_set(errors);
                    session.announce(Text::FailedRejected);
                }
                Err(error) => {
                    session.announce(failure_text(&error));
                    let _ = failure.try_set(Some(error));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let text_field = move |field: &'static str,
                           label: Text,
                           value: fn(&Form) -> String,
                           set: fn(&mut Form, String)| {
        let id = session.id(&format!("mas-{}", field.replace('.', "-")));
        let error_id = format!("{id}-error");
        view! {
            <div class="idcheck-field">
                <label for=id.clone()>{session.text(label)}</label>
                <input
                    id=id
                    name=field
                    type="text"
                    dir="auto"
                    autocomplete="off"
                    prop:value=move || form.with(value)
                    aria-invalid=move || if error_for(field).is_some() { "true" } else { "false" }
                    aria-describedby=error_id.clone()
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        form.update(|form| set(form, typed));
                        server_errors.update(|errors| errors.retain(|e| e.property != field));
                    }
                    on:blur=move |_| touched.update(|touched| {
                        touched.insert(field);
                    })
                />
                <p class="idcheck-error" id=error_id aria-live="polite">{move || error_for(field)}</p>
            </div>
        }
    };
    let kinds = [
        (DocumentType::Nif, Text::MasNif),
        (DocumentType::Nie, Text::MasNie),
        (DocumentType::Passport, Text::DocPassport),
    ];
    view! {
        <section class="idcheck-details">
            <StepHeading text=Text::MasFormTitle/>
            <form class="idcheck-form" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }>
                {text_field(NAME, Text::MasFirstName, |f| f.first_name.clone(), |f, v| f.first_name = v)}
                {text_field(LAST_NAME, Text::MasLastName, |f| f.last_name.clone(), |f, v| f.last_name = v)}
                <fieldset class="idcheck-choices">
                    <legend>{session.text(Text::MasDocumentType)}</legend>
                    {kinds
                        .into_iter()
                        .map(|(kind, label)| view! {
                            <Choice
                                name="document_type"
                                value=kind.as_str().to_string()
                                checked=Signal::derive(move || form.with(|form| form.kind == Some(kind)))
                                picked=move || {
                                    form.update(|form| form.kind = Some(kind));
                                    touched.update(|touched| {
                                        touched.insert(TYPE);
                                    });
                                }
                                title=label
                            />
                        })
                        .collect_view()}
                </fieldset>
                <p class="idcheck-error" aria-live="polite">{move || error_for(TYPE)}</p>
                {text_field(NUMBER, Text::MasNumber, |f| f.number.clone(), |f, v| f.number = v)}
                {text_field(COUNTRY, Text::MasCountry, |f| f.country.clone(), |f, v| f.country = v)}
                <p class="idcheck-error" role="alert">
                    {move || failure.get().map(|error| session.t(failure_text(&error)))}
                </p>
                <div class="idcheck-nav">
                    <button type="submit" class="idcheck-primary" disabled=move || busy.get()>
                        {session.text(if busy.get() { Text::MasCreating } else { Text::MasCreate })}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// An identification's expiry (an ISO 8601 date-time) as the member's language writes the date;
/// as sent when it is not one.
fn expiry_words(lang: Lang, expires_at: &str) -> String {
    expires_at
        .get(..10)
        .and_then(Date::parse)
        .map_or_else(|| expires_at.to_string(), |day| i18n::date(lang, day))
}

fn state_text(state: IdentificationState) -> Text {
    match state {
        IdentificationState::Pending => Text::MasStatePending,
        IdentificationState::Completed => Text::MasStateCompleted,
        IdentificationState::Cancelled => Text::MasStateCancelled,
        IdentificationState::Expired => Text::MasStateExpired,
    }
}

#[component]
fn MasStarted(
    api: StoredValue<Api, LocalStorage>,
    settings: StoredValue<MasStackSettings>,
    identification: RwSignal<Option<Identification>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let org = settings.with_value(|s| s.org.clone());
    let id =
        identification.with_untracked(|i| i.as_ref().map(|i| i.id.clone()).unwrap_or_default());
    let refresh = {
        let (org, id) = (org.clone(), id.clone());
        move || {
            let (org, id, api) = (org.clone(), id.clone(), api.get_value());
            spawn_local(async move {
                if let Ok(fresh) = api.identification(&org, &id).await {
                    let _ = identification.try_set(Some(fresh));
                }
            });
        }
    };
    let every = session.config.with_value(|config| config.poll_seconds);
    {
        let (org, id) = (org.clone(), id.clone());
        spawn_local(poll(
            every,
            move || {
                let (org, id, api) = (org.clone(), id.clone(), api.get_value());
                async move { api.identification(&org, &id).await }
            },
            move |answer| {
                let Ok(fresh) = answer else {
                    return Next::Continue;
                };
                let is_final = fresh.state.is_final();
                if identification.try_set(Some(fresh.clone())).is_some() || is_final {
                    Next::Stop
                } else {
                    Next::Continue
                }
            },
        ));
    }

    let cancelling = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let cancel = move || {
        let request = masstack::CancelIdentificationRequest {
            reason: Some(reason.get_untracked()),
        };
        if !masstack::check_cancel_request(&request).is_empty() {
            outcome.set(Some(session.t(Text::MasCancelReasonNeeded).to_string()));
            return;
        }
        busy.set(true);
        let (org, id, api, refresh) = (org.clone(), id.clone(), api.get_value(), refresh.clone());
        let reason = reason.get_untracked();
        spawn_local(async move {
            let text = match api.cancel_identification(&org, &id, &reason).await {
                Ok(()) => {
                    session.emit(Event::Cancelled, &[("step", Detail::Text("submitted"))]);
                    let _ = cancelling.try_set(false);
                    refresh();
                    Text::MasCancelled
                }
                Err(ApiError::Conflict(_)) => Text::MasConflict,
                Err(ApiError::NotFound(_)) => Text::MasNotFound,
                Err(error) => failure_text(&error),
            };
            session.announce(text);
            let _ = outcome.try_set(Some(session.t(text).to_string()));
            let _ = busy.try_set(false);
        });
    };
    let reason_id = session.id("mas-cancel-reason");
    view! {
        <section class="idcheck-submitted">
            <StepHeading text=Text::MasCreatedTitle/>
            <p class="idcheck-records">
                {move || fill(session.t(Text::MasIdentification), &[("id", &identification.with(|i| i.as_ref().map(|i| i.id.clone()).unwrap_or_default()))])}
            </p>
            <p class="idcheck-status">
                <span>{session.text(Text::SubmittedStatus)} ": "</span>
                <strong aria-live="polite" data-state=move || identification.with(|i| i.as_ref().map(|i| i.state.as_str()).unwrap_or_default())>
                    {move || identification.with(|i| i.as_ref().map(|i| session.t(state_text(i.state))))}
                </strong>
            </p>
            <p>
                {move || identification.with(|i| i.as_ref().map(|i| fill(session.t(Text::MasExpiresAt), &[("date", &expiry_words(session.lang.get(), &i.expires_at))])))}
            </p>
            <p class="idcheck-outcome" role="status">{move || outcome.get()}</p>
            <Show when=move || !cancelling.get()>
                <div class="idcheck-nav">
                    <button type="button" class="idcheck-secondary idcheck-mas-cancel" on:click=move |_| {
                        outcome.set(None);
                        cancelling.set(true);
                    }>
                        {session.text(Text::MasCancel)}
                    </button>
                </div>
            </Show>
            <Show when=move || cancelling.get()>
                <div class="idcheck-field">
                    <label for=reason_id.clone()>{session.text(Text::MasCancelReason)}</label>
                    <textarea
                        id=reason_id.clone()
                        name="reason"
                        rows="3"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    ></textarea>
                </div>
                <div class="idcheck-nav">
                    <button type="button" class="idcheck-primary" disabled=move || busy.get() on:click={
                        let cancel = cancel.clone();
                        move |_| cancel()
                    }>
                        {session.text(Text::MasCancelConfirm)}
                    </button>
                </div>
            </Show>
        </section>
    }
}
