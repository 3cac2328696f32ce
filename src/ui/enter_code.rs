//! "Enter your code": the first screen when the member comes from an invitation. A kiosk without
//! a member shows it to each person; a host's `invitation` setting is redeemed at start behind
//! "Checking your invitation…", and shows the field only if that fails. A redeemed code hands
//! over the member's token and ids, and their visit starts at the welcome step with a fresh
//! session; a reset remounts the whole component, so the next person starts here again. A kiosk
//! also takes the short code of a hand-off (a member who started on their laptop and finishes at
//! the front desk): their visit then carries on where the laptop left it.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{Api, ApiError, HandedOver, Redeemed};
use crate::config::{self, Config, Mode};
use crate::host::{Detail, Event, Host, InvitationUse};
use crate::i18n::{Lang, Text, t, t_count};
use crate::session::{Session, failure_text};
use crate::ui::{LanguageSwitch, kiosk, member_visit};

/// What the screen is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Redeeming the host's `invitation` setting.
    Checking,
    /// The code field, waiting for the member.
    Asking,
    /// The member's code is on its way.
    Sending,
}

/// Why the last code did not let the member in.
#[derive(Debug, Clone, PartialEq)]
enum Refusal {
    /// Not 8 letters and digits once spaces and dashes are left out: not sent.
    Incomplete,
    Failed(ApiError),
}

impl Refusal {
    fn words(&self, lang: Lang) -> String {
        let text = match self {
            Refusal::Incomplete => Text::CodeIncomplete,
            Refusal::Failed(error) => match error.locked_out_minutes() {
                Some(minutes) => return t_count(lang, Text::CodeLockedOut, minutes),
                None if matches!(error, ApiError::Rejected(_)) => Text::CodeRejected,
                None => failure_text(error),
            },
        };
        t(lang, text).to_string()
    }
}

/// The code screen, then (once a code is redeemed) the member's visit. `redeem_at_start` is the
/// host's `invitation` setting, tried once per mounted instance.
#[component]
pub fn EnterCode(
    config: Config,
    host: Host,
    lang: Lang,
    #[prop(optional)] redeem_at_start: Option<String>,
) -> impl IntoView {
    let offered = config.languages.clone();
    let lang = crate::ui::shown_language(lang);
    // No token yet, and never the host's token provider: its tokens are for someone else.
    let api = StoredValue::new_local(Api::new(config.api_base.clone(), "", None));
    let kiosk = match config.mode {
        Mode::Kiosk(kiosk) => Some(kiosk),
        Mode::Member => None,
    };
    let config = StoredValue::new(config);
    let host = StoredValue::new_local(host);
    let admitted = RwSignal::new(None::<Redeemed>);
    let handed_over = RwSignal::new(None::<HandedOver>);
    let stage = RwSignal::new(if redeem_at_start.is_some() {
        Stage::Checking
    } else {
        Stage::Asking
    });
    let typed = RwSignal::new(String::new());
    let refusal = RwSignal::new(None::<Refusal>);

    let redeem = move |code: String| {
        let api = api.get_value();
        spawn_local(async move {
            let answer = api.redeem_invitation(&code).await;
            // The component may have been unmounted meanwhile: then nobody is waiting.
            if stage.try_get_untracked().is_none() {
                return;
            }
            // Not an invitation: at a kiosk, it may be a hand-off's code. (The gateway counts the
            // same wrong code once, so trying both costs no extra guess.)
            let answer = match answer {
                Err(ApiError::Rejected(_)) if kiosk.is_some() => {
                    match api.redeem_handoff(&code).await {
                        Ok(member) => {
                            let _ = handed_over.try_set(Some(member));
                            return;
                        }
                        Err(locked @ ApiError::LockedOut { .. }) => Err(locked),
                        Err(_) => answer,
                    }
                }
                answer => answer,
            };
            match answer {
                Ok(member) => {
                    if kiosk.is_none() {
                        // A member's own browser: a reset starts again at the welcome step.
                        host.with_value(|host| {
                            *host.invitation.borrow_mut() = InvitationUse::Admitted(member.clone())
                        });
                    }
                    admitted.set(Some(member));
                }
                Err(error) => {
                    let english = Refusal::Failed(error.clone()).words(Lang::En);
                    host.with_value(|host| {
                        host.emit(
                            Event::Error,
                            &[
                                ("code", Detail::Text(error.code())),
                                ("message", Detail::Text(&english)),
                            ],
                        )
                    });
                    refusal.set(Some(Refusal::Failed(error)));
                    stage.set(Stage::Asking);
                }
            }
        });
    };
    if let Some(code) = redeem_at_start {
        // Tried once: a reset asks for a code rather than sending this one again.
        host.with_value(|host| *host.invitation.borrow_mut() = InvitationUse::Spent);
        // Should it fail, the field shows it, ready to correct or send again.
        typed.set(code.clone());
        redeem(code);
    }
    let submit = move || {
        if stage.get_untracked() != Stage::Asking {
            return;
        }
        match config::invitation_code(&typed.get_untracked()) {
            Some(code) => {
                refusal.set(None);
                stage.set(Stage::Sending);
                redeem(code);
            }
            None => refusal.set(Some(Refusal::Incomplete)),
        }
    };

    move || match (admitted.get(), handed_over.get()) {
        (_, Some(member)) => {
            let (session, _) = crate::handoff::handed_over_session(
                &config.get_value(),
                lang.get_untracked(),
                host.get_value(),
                &member,
            );
            member_visit(session).into_any()
        }
        (Some(member), None) => {
            let session = Session::for_invited(
                config.get_value(),
                lang.get_untracked(),
                host.get_value(),
                api.get_value(),
                &member,
            );
            member_visit(session).into_any()
        }
        (None, None) => view! {
            <CodeScreen host lang offered=offered.clone() stage typed refusal kiosk submit/>
        }
        .into_any(),
    }
}

#[component]
fn CodeScreen(
    host: StoredValue<Host, LocalStorage>,
    lang: RwSignal<Lang>,
    offered: Vec<Lang>,
    stage: RwSignal<Stage>,
    typed: RwSignal<String>,
    refusal: RwSignal<Option<Refusal>>,
    kiosk: Option<crate::config::Kiosk>,
    submit: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let text = move |key: Text| move || t(lang.get(), key);
    let id = move |name: &str| host.with_value(|host| format!("{}-{name}", host.id_prefix));
    let (input_id, hint_id, error_id) = (id("code"), id("code-hint"), id("code-error"));
    let heading = NodeRef::<leptos::html::H1>::new();
    let input = NodeRef::<leptos::html::Input>::new();
    host.with_value(|host| host.emit(Event::StepChanged, &[("step", Detail::Text("code"))]));
    // Focus goes to the field whenever it waits for the member (at first, and after a refusal),
    // and to the heading while the host's invitation is checked.
    Effect::new(move |_| {
        let stage = stage.get();
        refusal.track();
        match stage {
            Stage::Asking => {
                if let Some(input) = input.get() {
                    let _ = input.focus();
                }
            }
            Stage::Checking => {
                if let Some(heading) = heading.get() {
                    let _ = heading.focus();
                }
            }
            Stage::Sending => {}
        }
    });
    // A kiosk forgets a half-typed code, or a refusal, when the person walks away.
    let activity = kiosk::Activity::new();
    if let Some(kiosk) = kiosk {
        let forget = move || {
            let idle_limit = f64::from(kiosk.idle_seconds) * 1000.0;
            let something_shown = typed.with_untracked(|typed| !typed.is_empty())
                || refusal.with_untracked(Option::is_some);
            if something_shown
                && stage.get_untracked() == Stage::Asking
                && activity.idle_ms() >= idle_limit
            {
                typed.set(String::new());
                refusal.set(None);
            }
        };
        if let Ok(handle) = set_interval_with_handle(forget, Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    }
    let refused = move || refusal.with(Option::is_some);
    // The form stays in place while a code is sent, so the field keeps its focus and its text.
    let checking = Memo::new(move |_| stage.get() == Stage::Checking);
    let field = move || {
        (!checking.get()).then(|| {
            view! {
                <p>{text(Text::CodeIntro)}</p>
                <form class="idcheck-form" novalidate=true on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }>
                    <div class="idcheck-field">
                        <label for=input_id.clone()>{text(Text::CodeLabel)}</label>
                        <span class="idcheck-hint" id=hint_id.clone()>{text(Text::CodeHint)}</span>
                        <input
                            id=input_id.clone()
                            node_ref=input
                            class="idcheck-code-input"
                            name="code"
                            type="text"
                            dir="ltr"
                            autocomplete="one-time-code"
                            autocapitalize="characters"
                            spellcheck="false"
                            maxlength="16"
                            prop:value=move || typed.get()
                            aria-invalid=move || if refused() { "true" } else { "false" }
                            aria-describedby=format!("{hint_id} {error_id}")
                            on:input=move |ev| {
                                typed.set(event_target_value(&ev));
                                if refused() {
                                    refusal.set(None);
                                }
                            }
                        />
                        <p class="idcheck-error" id=error_id.clone() role="alert">
                            {move || refusal.get().map(|refusal| refusal.words(lang.get()))}
                        </p>
                    </div>
                    <div class="idcheck-nav">
                        <button
                            type="submit"
                            class="idcheck-primary"
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
        <div
            class="idcheck"
            class:idcheck-kiosk=kiosk.is_some()
            lang=move || lang.get().tag()
            dir=move || lang.get().dir()
            on:pointerdown=move |_| activity.touch()
            on:keydown=move |_| activity.touch()
            on:input=move |_| activity.touch()
        >
            <header class="idcheck-bar">
                <span></span>
                <div class="idcheck-bar-actions">
                    <LanguageSwitch lang offered/>
                    {kiosk.filter(|kiosk| kiosk.fullscreen).map(|_| view! { <kiosk::FullScreen lang/> })}
                </div>
            </header>
            <main class="idcheck-step">
                <section class="idcheck-code" aria-busy=move || if stage.get() == Stage::Checking { "true" } else { "false" }>
                    <h1 class="idcheck-heading" tabindex="-1" node_ref=heading>
                        {move || t(lang.get(), if stage.get() == Stage::Checking { Text::CodeChecking } else { Text::CodeTitle })}
                    </h1>
                    {field}
                </section>
            </main>
            <div class="idcheck-live" role="status" aria-live="polite" aria-atomic="true">
                {move || (stage.get() == Stage::Sending).then(|| t(lang.get(), Text::CodeSending))}
            </div>
        </div>
    }
}
