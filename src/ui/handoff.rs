//! The hand-off's views (see `handoff`). On the device the member leaves: the "Continue on my
//! phone" action, and the screen that shows the link as a QR code, to copy and as a short code to
//! type, with its expiry, then follows the phone ("Continue on your phone…") and lets the member
//! take it back. On the phone: opening the link (redeeming it once), the clear page of a link
//! that can no longer be used, and the field for the short code.

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

use crate::api::{Api, ApiError, HandedOver};
use crate::config::Config;
use crate::handoff::{Away, HandOff, Link, Phase, handed_over_session};
use crate::host::{Detail, Event, Host};
use crate::i18n::{Lang, Text, fill, t, t_count};
use crate::session::{Session, failure_text};
use crate::ui::qr::QrSymbol;
use crate::ui::{LanguageSwitch, StepHeading, member_visit};

/// "Continue on my phone", where the session offers it.
#[component]
pub fn ContinueOnPhone() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <Show when=move || session.offers_phone()>
            <div class="idcheck-handoff-offer">
                <button type="button" class="idcheck-secondary" on:click=move |_| {
                    // The hand-off's code is a part of its own, fetched the first time it is asked for.
                    leptos::task::spawn_local(async move {
                        if crate::parts::continue_on_phone(session).await.is_err() {
                            session.announce(Text::PartUnavailable);
                        }
                    });
                }>
                    {session.text(Text::HandoffOffer)}
                </button>
                <p class="idcheck-hint">{session.text(Text::HandoffOfferHint)}</p>
            </div>
        </Show>
    }
}

/// `seconds` as the clock shows a countdown: `14:05`.
fn minutes_and_seconds(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The screen shown instead of the step while the visit is (being) handed to the phone.
#[component]
pub fn HandoffScreen() -> impl IntoView {
    let session = expect_context::<Session>();
    let state = session.handoff.state;
    // The clock the countdown reads, ticking once a second while this screen shows.
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(js_sys::Date::now()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    let kiosk = session
        .config
        .with_value(|config| matches!(config.mode, crate::config::Mode::Kiosk(_)));
    // What the screen is about, so its heading (which takes focus) changes only when that does.
    let stage = Memo::new(move |_| {
        state.with(|state| match state {
            HandOff::Away(away) => Some(away.phase),
            _ => None,
        })
    });
    let heading = move || match stage.get() {
        Some(Phase::Opened) => view! { <StepHeading text=Text::HandoffOpenedTitle/> },
        _ => view! { <StepHeading text=Text::HandoffTitle/> },
    };
    let body = move || {
        match state.get() {
        HandOff::Here => ().into_any(),
        HandOff::Starting => view! {
            <p class="idcheck-handoff-status" aria-busy="true">{session.t(Text::HandoffPreparing)}</p>
            <div class="idcheck-nav">
                <button type="button" class="idcheck-secondary" on:click=move |_| session.continue_here()>
                    {session.t(Text::HandoffHere)}
                </button>
            </div>
        }
        .into_any(),
        HandOff::Failed(error) => view! {
            <p class="idcheck-error" role="alert">{session.t(Text::HandoffFailed)} " " {session.t(failure_text(&error))}</p>
            <div class="idcheck-nav">
                <button type="button" class="idcheck-primary" on:click=move |_| {
                    // The hand-off's code is a part of its own, fetched the first time it is asked for.
                    leptos::task::spawn_local(async move {
                        if crate::parts::continue_on_phone(session).await.is_err() {
                            session.announce(Text::PartUnavailable);
                        }
                    });
                }>
                    {session.t(Text::Retry)}
                </button>
                <button type="button" class="idcheck-secondary" on:click=move |_| session.continue_here()>
                    {session.t(Text::HandoffHere)}
                </button>
            </div>
        }
        .into_any(),
        HandOff::Away(away) => view! { <AwayView away now kiosk/> }.into_any(),
    }
    };
    view! {
        <section class="idcheck-handoff">
            {heading}
            {body}
        </section>
    }
}

/// A hand-off that is out: the link while it is waiting, then what the phone does.
#[component]
fn AwayView(away: Away, now: RwSignal<f64>, kiosk: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    let Away {
        link,
        expires_at,
        phase,
        busy,
        problem,
        ..
    } = away;
    // The clock read afresh: the link's lifetime was counted from its answer, which may have
    // come after the last tick (a countdown must never start above the time announced).
    now.set(js_sys::Date::now());
    let left = move || ((expires_at - now.get()) / 1000.0).ceil().max(0.0) as u32;
    // Past its time: said at once, though the gateway's word follows within seconds.
    let expired = move || phase == Phase::Expired || (phase == Phase::Waiting && left() == 0);
    let waiting = move || phase == Phase::Waiting && !expired();
    let shown_link = link.clone();
    let what = move || {
        match phase {
        Phase::Opened if kiosk => Some(view! { <p class="idcheck-handoff-status" role="status">{session.t(Text::HandoffOpenedKiosk)}</p> }.into_any()),
        Phase::Opened => Some(view! { <p class="idcheck-handoff-status" role="status">{session.t(Text::HandoffOpened)}</p> }.into_any()),
        _ if expired() => Some(view! {
            <p class="idcheck-handoff-status" role="status">{session.t(Text::HandoffExpired)}</p>
            <div class="idcheck-nav">
                <button type="button" class="idcheck-primary idcheck-handoff-new" disabled=busy on:click=move |_| session.new_phone_code()>
                    {session.t(Text::HandoffNewCode)}
                </button>
            </div>
        }.into_any()),
        _ => match shown_link.clone() {
            Some(link) => Some(view! { <LinkView link/> }.into_any()),
            // After a reload: the link is not kept, and the phone may or may not have it.
            None => Some(view! {
                <p class="idcheck-handoff-status">{session.t(Text::HandoffReloaded)}</p>
                <div class="idcheck-nav">
                    <button type="button" class="idcheck-primary idcheck-handoff-new" disabled=busy on:click=move |_| session.new_phone_code()>
                        {session.t(Text::HandoffNewCode)}
                    </button>
                </div>
            }.into_any()),
        },
    }
    };
    let expiry = move || {
        (waiting() && link.is_some()).then(|| {
            view! {
                <p class="idcheck-handoff-expiry" role="timer">
                    {fill(session.t(Text::HandoffExpiresIn), &[("time", &minutes_and_seconds(left()))])}
                </p>
                <p class="idcheck-handoff-status" aria-busy="true">{session.t(Text::HandoffWaiting)}</p>
            }
        })
    };
    let problem_words = move || {
        problem.as_ref().map(|error| {
            let lead = match error {
                ApiError::Unauthorized | ApiError::Forbidden(_) => Text::HandoffFollowFailed,
                _ => Text::HandoffTakeBackFailed,
            };
            format!("{} {}", session.t(lead), session.t(failure_text(error)))
        })
    };
    view! {
        {what}
        {expiry}
        <p class="idcheck-error" role="alert">{problem_words}</p>
        <div class="idcheck-nav">
            <button
                type="button"
                class="idcheck-secondary idcheck-handoff-here"
                aria-disabled=if busy { "true" } else { "false" }
                on:click=move |_| session.continue_here()
            >
                {session.t(Text::HandoffHere)}
            </button>
        </div>
    }
}

/// The link three ways: a QR code to scan, the link to copy, the short code to type.
#[component]
fn LinkView(link: Link) -> impl IntoView {
    let session = expect_context::<Session>();
    let copied = RwSignal::new(None::<Text>);
    let field = NodeRef::<leptos::html::Input>::new();
    let url = link.url.clone();
    let copy = move |_| {
        let url = url.clone();
        spawn_local(async move {
            let clipboard = window().navigator().clipboard();
            let written = wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&url)).await;
            let said = if written.is_ok() {
                Text::HandoffCopied
            } else {
                // No clipboard (an insecure page, a refused permission): the member copies it.
                if let Some(field) = field.get_untracked() {
                    let _ = field.focus();
                    field.select();
                }
                Text::HandoffCopyFailed
            };
            let _ = copied.try_set(Some(said));
        });
    };
    let label = Signal::derive(move || session.t(Text::HandoffQrLabel).to_string());
    // Focusing the link selects it whole, ready to copy by hand.
    let select_all = |ev: leptos::ev::FocusEvent| {
        let field: web_sys::HtmlInputElement = event_target(&ev);
        field.select();
    };
    let link_id = session.id("handoff-link");
    view! {
        <p>{session.t(Text::HandoffScan)}</p>
        <figure class="idcheck-handoff-qr">
            <QrSymbol text=link.url.clone() label/>
        </figure>
        <label class="idcheck-handoff-label" for=link_id.clone()>{session.t(Text::HandoffLinkLabel)}</label>
        <div class="idcheck-handoff-link">
            <input
                id=link_id
                node_ref=field
                type="text"
                readonly=true
                dir="ltr"
                spellcheck="false"
                prop:value=link.url.clone()
                on:focus=select_all
            />
            <button type="button" class="idcheck-secondary" on:click=copy>
                {session.t(Text::HandoffCopy)}
            </button>
        </div>
        <p class="idcheck-hint" role="status">{move || copied.get().map(|text| session.t(text))}</p>
        <p>
            {fill(session.t(Text::HandoffCode), &[("address", &link.typing_address())])}
            " "
            <strong class="idcheck-handoff-code" dir="ltr">{link.grouped_code()}</strong>
        </p>
    }
}

/// What opening a link, or typing a code, on the phone is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Redeeming the link the page was opened with.
    Opening,
    /// Waiting for the member to type a code.
    Asking,
    /// A typed code is on its way.
    Sending,
}

/// Why the phone is not let in (yet).
#[derive(Debug, Clone, PartialEq)]
enum Refusal {
    /// The link is used up, taken back, expired or not a link at all.
    LinkUsed,
    /// Opening the link failed for another reason (the connection, a lock-out): it may be tried again.
    LinkFailed(ApiError),
    /// A typed code that is not 8 letters and digits: not sent.
    Incomplete,
    Typed(ApiError),
}

impl Refusal {
    /// What the alert says; `None` where the page's own text explains it.
    fn words(&self, lang: Lang) -> Option<String> {
        let error = match self {
            Refusal::LinkUsed => return None,
            Refusal::Incomplete => return Some(t(lang, Text::CodeIncomplete).to_string()),
            Refusal::LinkFailed(error) | Refusal::Typed(error) => error,
        };
        Some(match error.locked_out_minutes() {
            Some(minutes) => t_count(lang, Text::CodeLockedOut, minutes),
            None if matches!(error, ApiError::Rejected(_)) => {
                t(lang, Text::HandoffCodeRejected).to_string()
            }
            None => t(lang, failure_text(error)).to_string(),
        })
    }
}

/// Whether `written` can be a hand-off link's code (64 hex digits): anything else is not sent.
fn link_code(written: &str) -> Option<String> {
    let code = written.trim().to_ascii_lowercase();
    (code.len() == 64 && code.bytes().all(|b| b.is_ascii_hexdigit())).then_some(code)
}

/// The phone's side: redeems the link the page was opened with (`code`; empty to ask for the
/// short code), then carries on the member's visit where the other device left it.
#[component]
pub fn Arrival(config: Config, host: Host, lang: Lang, code: String) -> impl IntoView {
    let offered = config.languages.clone();
    let lang = crate::ui::shown_language(lang);
    // No token yet, and never the host's token provider: its tokens are for someone else.
    let api = StoredValue::new_local(
        Api::new(config.api_base.clone(), "", None).with_deadlines(config.deadlines),
    );
    let config = StoredValue::new(config);
    let host = StoredValue::new_local(host);
    let admitted = RwSignal::new(None::<HandedOver>);
    let stage = RwSignal::new(Stage::Asking);
    let typed = RwSignal::new(String::new());
    let refusal = RwSignal::new(None::<Refusal>);
    let link = StoredValue::new(None::<String>);

    let redeem = move |code: String, from_link: bool| {
        let api = api.get_value();
        spawn_local(async move {
            let answer = api.redeem_handoff(&code).await;
            if stage.try_get_untracked().is_none() {
                return;
            }
            match answer {
                Ok(member) => admitted.set(Some(member)),
                Err(error) => {
                    host.with_value(|host| {
                        let english = Refusal::Typed(error.clone()).words(Lang::En);
                        host.emit(
                            Event::Error,
                            &[
                                ("code", Detail::Text(error.code())),
                                ("message", Detail::Text(english.as_deref().unwrap_or(""))),
                            ],
                        )
                    });
                    refusal.set(Some(match (from_link, &error) {
                        (true, ApiError::Rejected(_)) => Refusal::LinkUsed,
                        (true, _) => Refusal::LinkFailed(error),
                        (false, _) => Refusal::Typed(error),
                    }));
                    stage.set(Stage::Asking);
                }
            }
        });
    };
    let open_link = move || {
        if let Some(code) = link.get_value() {
            refusal.set(None);
            stage.set(Stage::Opening);
            redeem(code, true);
        }
    };
    if !code.is_empty() {
        match link_code(&code) {
            Some(code) => {
                link.set_value(Some(code));
                open_link();
            }
            None => refusal.set(Some(Refusal::LinkUsed)),
        }
    }
    let submit = move || {
        if stage.get_untracked() != Stage::Asking {
            return;
        }
        match crate::config::invitation_code(&typed.get_untracked()) {
            Some(code) => {
                refusal.set(None);
                stage.set(Stage::Sending);
                redeem(code, false);
            }
            None => refusal.set(Some(Refusal::Incomplete)),
        }
    };

    move || match admitted.get() {
        Some(member) => {
            let config = config.get_value();
            let (session, settings) =
                handed_over_session(&config, lang.get_untracked(), host.get_value(), &member);
            if config.history {
                // The standalone page: a reload continues this visit (the link is used up).
                crate::page::keep_handed_over(&settings);
            }
            if let Some(wanted) = session.config.with_value(|config| config.lang) {
                crate::translations::switch(session.lang, wanted, |_| {});
            }
            member_visit(session).into_any()
        }
        None => view! {
            <ArrivalScreen host lang offered=offered.clone() stage typed refusal submit open_link/>
        }
        .into_any(),
    }
}

#[component]
fn ArrivalScreen(
    host: StoredValue<Host, LocalStorage>,
    lang: RwSignal<Lang>,
    offered: Vec<Lang>,
    stage: RwSignal<Stage>,
    typed: RwSignal<String>,
    refusal: RwSignal<Option<Refusal>>,
    submit: impl Fn() + Copy + Send + Sync + 'static,
    open_link: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let text = move |key: Text| move || t(lang.get(), key);
    let id = move |name: &str| host.with_value(|host| format!("{}-{name}", host.id_prefix));
    let (input_id, hint_id, error_id) = (
        id("handoff-code"),
        id("handoff-code-hint"),
        id("handoff-code-error"),
    );
    let heading = NodeRef::<leptos::html::H1>::new();
    let input = NodeRef::<leptos::html::Input>::new();
    host.with_value(|host| host.emit(Event::StepChanged, &[("step", Detail::Text("handoff"))]));
    let link_used = move || refusal.with(|refusal| *refusal == Some(Refusal::LinkUsed));
    let link_failed =
        move || refusal.with(|refusal| matches!(refusal, Some(Refusal::LinkFailed(_))));
    let title = move || {
        let key = match stage.get() {
            Stage::Opening => Text::HandoffOpening,
            _ if link_used() => Text::HandoffRefusedTitle,
            _ => Text::HandoffCodeTitle,
        };
        t(lang.get(), key)
    };
    // The heading takes focus whenever it changes (screen readers announce the page); a refused
    // typed code sends the focus back to the field.
    Effect::new(move |_| {
        let stage = stage.get();
        let typed_refused = refusal
            .with(|refusal| matches!(refusal, Some(Refusal::Typed(_) | Refusal::Incomplete)));
        match stage {
            Stage::Asking if typed_refused => {
                if let Some(input) = input.get() {
                    let _ = input.focus();
                }
            }
            Stage::Sending => {}
            _ => {
                if let Some(heading) = heading.get() {
                    let _ = heading.focus();
                }
            }
        }
    });
    let refused_typed = move || {
        refusal.with(|refusal| matches!(refusal, Some(Refusal::Typed(_) | Refusal::Incomplete)))
    };
    let form = move || {
        (stage.get() != Stage::Opening).then(|| {
            view! {
                {move || link_used().then(|| view! {
                    <p>{text(Text::HandoffRefused)}</p>
                    <p>{text(Text::HandoffRefusedNext)}</p>
                })}
                {move || link_failed().then(|| view! {
                    <p class="idcheck-error" role="alert">
                        {move || refusal.get().and_then(|refusal| refusal.words(lang.get()))}
                    </p>
                    <div class="idcheck-nav">
                        <button type="button" class="idcheck-primary" on:click=move |_| open_link()>
                            {text(Text::Retry)}
                        </button>
                    </div>
                })}
                <p>{text(Text::HandoffCodeIntro)}</p>
                <form class="idcheck-form" novalidate=true on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }>
                    <div class="idcheck-field">
                        <label for=input_id.clone()>{text(Text::HandoffCodeLabel)}</label>
                        <span class="idcheck-hint" id=hint_id.clone()>{text(Text::CodeHint)}</span>
                        <input
                            id=input_id.clone()
                            node_ref=input
                            class="idcheck-code-input"
                            name="handoff-code"
                            type="text"
                            dir="ltr"
                            autocomplete="one-time-code"
                            autocapitalize="characters"
                            spellcheck="false"
                            maxlength="16"
                            prop:value=move || typed.get()
                            aria-invalid=move || if refused_typed() { "true" } else { "false" }
                            aria-describedby=format!("{hint_id} {error_id}")
                            on:input=move |ev| {
                                typed.set(event_target_value(&ev));
                                if refused_typed() {
                                    refusal.set(None);
                                }
                            }
                        />
                        <p class="idcheck-error" id=error_id.clone() role="alert">
                            {move || {
                                refused_typed()
                                    .then(|| refusal.get().and_then(|refusal| refusal.words(lang.get())))
                                    .flatten()
                            }}
                        </p>
                    </div>
                    <div class="idcheck-nav">
                        <button
                            type="submit"
                            class=move || if link_failed() { "idcheck-secondary" } else { "idcheck-primary" }
                            aria-disabled=move || if stage.get() == Stage::Sending { "true" } else { "false" }
                        >
                            {move || t(lang.get(), if stage.get() == Stage::Sending { Text::CodeSending } else { Text::Continue })}
                        </button>
                    </div>
                </form>
            }
        })
    };
    view! {
        <div class="idcheck" lang=move || lang.get().tag() dir=move || lang.get().dir()>
            <header class="idcheck-bar">
                <span></span>
                <div class="idcheck-bar-actions">
                    <LanguageSwitch lang offered/>
                </div>
            </header>
            <main class="idcheck-step">
                <section class="idcheck-handoff-arrival" aria-busy=move || if stage.get() == Stage::Opening { "true" } else { "false" }>
                    <h1 class="idcheck-heading" tabindex="-1" node_ref=heading>{title}</h1>
                    {form}
                </section>
            </main>
            <div class="idcheck-live" role="status" aria-live="polite" aria-atomic="true">
                {move || (stage.get() == Stage::Sending).then(|| t(lang.get(), Text::CodeSending))}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn a_countdown_reads_like_a_clock() {
        assert_eq!(minutes_and_seconds(900), "15:00");
        assert_eq!(minutes_and_seconds(65), "1:05");
        assert_eq!(minutes_and_seconds(0), "0:00");
    }

    #[test]
    fn only_a_link_code_is_sent_from_the_address() {
        let code = "0123456789abcdef".repeat(4);
        assert_eq!(
            link_code(&code.to_uppercase()).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(link_code("K7M3QX9A"), None);
        assert_eq!(link_code(&format!("{code}0")), None);
        assert_eq!(link_code(&"g".repeat(64)), None);
    }
}
