//! The component's views. They render the session's state and forward the member's actions; the
//! rules that decide what comes next live in `idcheck-core`.

pub mod enter_code;
pub mod handoff;
pub mod kiosk;
pub mod masstack;
pub mod qr;
pub mod steps;

use idcheck_core::flow::Step;
use leptos::prelude::*;

use crate::api::Api;
use crate::config::{Access, Config, Mode, Problem, Provider};
use crate::host::{Detail, Event, Host, InvitationUse};
use crate::i18n::{Lang, Text, fill, t};
use crate::parts;
use crate::session::Session;

/// The whole component, for a configuration read from the host.
#[component]
pub fn App(
    config: Result<Config, Vec<Problem>>,
    #[prop(optional)] host: Option<Host>,
) -> impl IntoView {
    let config = match config {
        Ok(config) => config,
        // A page that cannot work: its own part, the settings to fix in the browser's language.
        Err(problems) => {
            let lang = shown_language(crate::i18n::browser_language(&[]));
            return parts::show(lang, move || parts::config_problems(problems.clone(), lang));
        }
    };
    let lang = config.starting_language();
    let host = host.unwrap_or_default();
    let starting = RwSignal::new(lang);
    if let Provider::MasStack(settings) = config.provider.clone() {
        return parts::show(starting, move || {
            parts::masstack(config.clone(), settings.clone(), host.clone(), lang)
        });
    }
    // Who the member is: the settings say, or an invitation code (typed, or the host's,
    // redeemed once per mounted instance).
    let remembered = host.invitation.borrow().clone();
    match (config.access.clone(), remembered) {
        (Access::Configured, _) => {
            if config.mode == Mode::Member && crate::resume::is_kept(&host.id_prefix) {
                parts::show(starting, move || {
                    parts::resumed_visit(config.clone(), host.clone(), lang)
                })
            } else {
                visit_in(Session::fresh(config, Lang::En, host), lang).into_any()
            }
        }
        (Access::Invitation(_), InvitationUse::Admitted(member)) => {
            let api = Api::new(config.api_base.clone(), member.token.clone(), None);
            let session = Session::for_invited(config, Lang::En, host, api, &member);
            visit_in(session, lang).into_any()
        }
        (Access::Invitation(code), InvitationUse::Unused) => parts::show(starting, move || {
            parts::enter_code(config.clone(), host.clone(), lang, Some(code.clone()))
        }),
        (Access::Invitation(_), InvitationUse::Spent) | (Access::AskForCode, _) => {
            parts::show(starting, move || {
                parts::enter_code(config.clone(), host.clone(), lang, None)
            })
        }
        (Access::Handoff(code), _) => parts::show(starting, move || {
            parts::arrival(config.clone(), host.clone(), lang, code.clone())
        }),
    }
}

/// The MasStack branch: its own frame around the MasStack view (no steps, no progress).
pub(crate) fn masstack_visit(
    config: Config,
    settings: crate::config::MasStackSettings,
    host: Host,
    lang: Lang,
) -> impl IntoView {
    let offered = config.languages.clone();
    let session = in_language(Session::fresh(config, Lang::En, host), lang);
    provide_context(session);
    view! {
        <div class="idcheck" lang=move || session.lang.get().tag() dir=move || session.lang.get().dir()>
            <header class="idcheck-bar">
                <span></span>
                <LanguageSwitch lang=session.lang offered/>
            </header>
            <main class="idcheck-step">
                <masstack::MasStackView settings/>
            </main>
            <div class="idcheck-live" role="status" aria-live="polite" aria-atomic="true">
                {move || session.announcement.get()}
            </div>
        </div>
    }
}

/// `session`, which starts in English, shown in `lang` once its strings are here.
fn in_language(session: Session, lang: Lang) -> Session {
    crate::translations::switch(session.lang, lang, |_| {});
    session
}

/// A member's visit shown in `lang` (see `in_language`).
pub(crate) fn visit_in(session: Session, lang: Lang) -> impl IntoView {
    member_visit(in_language(session, lang))
}

/// One member's visit: the session is given to every view below as context, the steps follow
/// the back button when the configuration says so, and the flow is shown.
pub(crate) fn member_visit(session: Session) -> impl IntoView {
    start_visit(session);
    let view = view! { <FlowView session/> };
    parts::prefetch_ahead(session);
    view
}

/// What a visit does besides showing its steps: it is kept across reloads, looks for a check this
/// member already has open, follows a hand-off kept before a reload and the back button, and tells
/// the host where the member is.
fn start_visit(session: Session) {
    provide_context(session);
    session.keep_across_reloads();
    // Looking for a check this member already has open is a part of its own: the welcome step
    // does not wait for it.
    leptos::task::spawn_local(async move {
        let _ = parts::continue_open_checks(session).await;
    });
    session.follow_kept_handoff();
    if session.config.with_value(|config| config.history) {
        crate::history::follow(session);
    }
    let step = Memo::new(move |_| session.step());
    Effect::new(move |_| {
        let step = step.get();
        let (position, total) = session.flow.with_untracked(|flow| flow.position());
        session.emit(
            Event::StepChanged,
            &[
                ("step", Detail::Text(crate::history::fragment(step))),
                ("position", Detail::Number(position as f64)),
                ("total", Detail::Number(total as f64)),
            ],
        );
    });
}

/// A member's visit that starts on the welcome screen the first module drew (`shell`): the
/// screen's controls act on the session, and the flow's views replace it once the member leaves
/// the welcome step (continuing, a check found open, a hand-off, the back button).
pub(crate) fn adopted_visit(
    shell: crate::shell::Shell,
    config: Config,
    host: Host,
) -> impl IntoView {
    struct Adopter(Session);
    impl crate::shell::Adopter for Adopter {
        fn agreed(&self, agreed: bool) {
            self.0.flow.update(|flow| flow.set_consent(agreed));
            self.0.blocker.set(None);
        }
        fn next(&self) {
            self.0.next();
        }
        fn language(&self, lang: Lang) {
            self.0.lang.set(lang);
        }
        fn offer(&self) {
            let session = self.0;
            leptos::task::spawn_local(async move {
                if parts::continue_on_phone(session).await.is_err() {
                    session.announce(Text::PartUnavailable);
                }
            });
        }
    }
    let session = Session::fresh(config, Lang::En, host);
    let adoption = shell.adopt(std::rc::Rc::new(Adopter(session)));
    session.lang.set(adoption.lang);
    session
        .flow
        .update(|flow| flow.set_consent(adoption.agreed));
    start_visit(session);
    // The screen shows what the session says until it is left.
    let on_screen = Memo::new(move |left: Option<&bool>| {
        let here = session.step() == Step::Welcome
            && session
                .handoff
                .state
                .with(|state| *state == crate::handoff::HandOff::Here);
        // Once left, the flow's own welcome view is shown on the way back.
        left.copied().unwrap_or(true) && here
    });
    let screen = send_wrapper::SendWrapper::new(shell);
    Effect::new(move |_| {
        if on_screen.get() {
            screen.set_blocker(
                session
                    .blocker
                    .get()
                    .map(|blocker| crate::session::blocker_text(&blocker)),
            );
            screen.set_offered(session.offers_phone());
            screen.announce(&session.announcement.get());
        } else {
            screen.remove();
        }
    });
    if adoption.continued {
        session.next();
    }
    parts::prefetch_ahead(session);
    move || (!on_screen.get()).then(|| view! { <FlowView session/> })
}

#[component]
fn FlowView(session: Session) -> impl IntoView {
    let step = Memo::new(move |_| session.step());
    let (kiosk, embedded) = session
        .config
        .with_value(|config| (config.mode, !config.history));
    let kiosk = match kiosk {
        Mode::Kiosk(kiosk) => Some(kiosk),
        Mode::Member => None,
    };
    // A widget or a kiosk can be left at any step; the standalone page is left by closing it.
    let cancellable = embedded || kiosk.is_some();
    let activity = kiosk::Activity::new();
    // While the visit is with the phone, its screen stands in for the step.
    let away = Memo::new(move |_| {
        session
            .handoff
            .state
            .with(|state| *state != crate::handoff::HandOff::Here)
    });
    view! {
        <div
            class="idcheck"
            class:idcheck-kiosk=kiosk.is_some()
            lang=move || session.lang.get().tag()
            dir=move || session.lang.get().dir()
            on:pointerdown=move |_| activity.touch()
            on:keydown=move |_| activity.touch()
            on:input=move |_| activity.touch()
        >
            <header class="idcheck-bar">
                <Progress/>
                <div class="idcheck-bar-actions">
                    <LanguageSwitch lang=session.lang offered=session.config.with_value(|config| config.languages.clone())/>
                    {kiosk.filter(|kiosk| kiosk.fullscreen).map(|_| parts::show(session.lang, move || parts::kiosk_full_screen(session.lang)))}
                    {cancellable.then(|| view! {
                        <button type="button" class="idcheck-link idcheck-cancel" on:click=move |_| {
                            session.emit(
                                Event::Cancelled,
                                &[("step", Detail::Text(crate::history::fragment(session.flow.with_untracked(|flow| flow.step()))))],
                            );
                            session.host.with_value(|host| host.request_reset());
                        }>
                            {session.text(Text::Cancel)}
                        </button>
                    })}
                </div>
            </header>
            {kiosk.map(|kiosk| parts::show(session.lang, move || parts::kiosk_guard(kiosk, activity)))}
            <Show when=move || matches!(step.get(), Step::Capture(slot) if session.lost.with(|lost| lost.contains(&slot)))>
                <p class="idcheck-notice" role="status">{session.text(Text::ReloadedRetake)}</p>
            </Show>
            <main class="idcheck-step">
                {move || match step.get() {
                    _ if away.get() => parts::show(session.lang, parts::handoff_screen).into_any(),
                    Step::Welcome => view! { <steps::welcome::Welcome/> }.into_any(),
                    step @ (Step::Purpose | Step::DocumentType | Step::Details) => {
                        parts::show(session.lang, move || parts::answers(step)).into_any()
                    }
                    Step::Capture(slot) => parts::show(session.lang, move || parts::capture(slot)).into_any(),
                    step @ (Step::Review | Step::Submitted) => {
                        parts::show(session.lang, move || parts::review(step)).into_any()
                    }
                }}
            </main>
            <div class="idcheck-live" role="status" aria-live="polite" aria-atomic="true">
                {move || session.announcement.get()}
            </div>
        </div>
    }
}

/// "Step n of N", with a bar, so the member knows how much is left.
#[component]
fn Progress() -> impl IntoView {
    let session = expect_context::<Session>();
    let position = Memo::new(move |_| session.flow.with(|flow| flow.position()));
    let label_id = session.id("progress-label");
    let label = move || {
        let (n, total) = position.get();
        fill(
            session.t(Text::StepOf),
            &[("n", &n.to_string()), ("total", &total.to_string())],
        )
    };
    view! {
        <div class="idcheck-progress">
            <span id=label_id.clone()>{label}</span>
            <progress
                aria-labelledby=label_id
                max=move || position.get().1
                value=move || position.get().0
            ></progress>
        </div>
    }
}

/// A signal of the language shown, starting in `wanted` when its strings are here and otherwise in
/// English until they arrive (if they never do, English stays).
pub(crate) fn shown_language(wanted: Lang) -> RwSignal<Lang> {
    let shown = RwSignal::new(Lang::En);
    crate::translations::switch(shown, wanted, |_| {});
    shown
}

/// Lets the member change the language at any point without losing what they entered, among the
/// languages the host offers (none shown when it imposes one), each named in itself.
#[component]
pub(crate) fn LanguageSwitch(lang: RwSignal<Lang>, offered: Vec<Lang>) -> impl IntoView {
    let choices = if offered.is_empty() {
        Lang::ALL.to_vec()
    } else {
        offered
    };
    let failed = RwSignal::new(false);
    (choices.len() > 1).then(|| view! {
        <label class="idcheck-lang">
            <span>{move || t(lang.get(), Text::Language)}</span>
            <select
                prop:value=move || {
                    failed.track();
                    lang.get().tag()
                }
                on:change=move |ev| {
                    if let Some(chosen) = Lang::from_tag(&event_target_value(&ev)) {
                        failed.set(false);
                        crate::translations::switch(lang, chosen, move |_| {
                            let _ = failed.try_set(true);
                        });
                    }
                }
            >
                {choices
                    .into_iter()
                    .map(|option| {
                        view! {
                            <option value=option.tag() lang=option.tag() dir=option.dir()>
                                {option.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <Show when=move || failed.get()>
                <span class="idcheck-lang-failed" role="status">
                    {move || fill(t(lang.get(), Text::LanguageUnavailable), &[("language", lang.get().native_name())])}
                </span>
            </Show>
        </label>
    })
}

/// Shown instead of the flow when the host's configuration cannot work: says which settings to fix.
#[component]
pub(crate) fn ConfigProblems(problems: Vec<Problem>, lang: RwSignal<Lang>) -> impl IntoView {
    view! {
        <div class="idcheck" lang=move || lang.get().tag() dir=move || lang.get().dir()>
            <header class="idcheck-bar">
                <LanguageSwitch lang offered=Vec::new()/>
            </header>
            <main class="idcheck-step" role="alert">
                <h1>{move || t(lang.get(), Text::ConfigTitle)}</h1>
                <p>{move || t(lang.get(), Text::ConfigIntro)}</p>
                <ul class="idcheck-config-problems">
                    {problems
                        .into_iter()
                        .map(|problem| {
                            view! {
                                <li>
                                    <code>{problem.setting}</code>
                                    " "
                                    {problem.message}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </main>
        </div>
    }
}

/// A step's heading. It takes focus when the step appears, so screen readers announce the new
/// step and keyboard users start from the top of it.
#[component]
pub fn StepHeading(text: Text) -> impl IntoView {
    let session = expect_context::<Session>();
    let heading = NodeRef::<leptos::html::H1>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    view! {
        <h1 class="idcheck-heading" tabindex="-1" node_ref=heading>
            {session.text(text)}
        </h1>
    }
}

/// Back and Continue, the same on every step that has them.
#[component]
pub fn StepNav(#[prop(optional)] back: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <div class="idcheck-nav">
            <button type="button" class="idcheck-primary" on:click=move |_| session.next()>
                {session.text(Text::Continue)}
            </button>
            {back
                .then(|| {
                    view! {
                        <button type="button" class="idcheck-secondary" on:click=move |_| session.back()>
                            {session.text(Text::Back)}
                        </button>
                    }
                })}
        </div>
    }
}

/// The reason the last Continue did not move on, in an alert next to the controls.
#[component]
pub fn BlockerMessage() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <p class="idcheck-error" role="alert" id=session.id("step-error")>
            {move || {
                session
                    .blocker
                    .get()
                    .map(|blocker| session.t(crate::session::blocker_text(&blocker)))
            }}
        </p>
    }
}

/// An accepted image, drawn on a canvas. A canvas rather than an `<img>`: a host's strict
/// Content-Security-Policy forbids `blob:` and `data:` image URLs. A PDF is shown by its name, size
/// and page count instead ([`PdfSummary`]).
#[component]
pub fn Picture(image: crate::session::Image, class: &'static str, label: Text) -> impl IntoView {
    let session = expect_context::<Session>();
    if let Some(pdf) = image.pdf.clone() {
        let size = image.bytes.len();
        return view! { <PdfSummary pdf size class/> }.into_any();
    }
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    Effect::new(move |_| {
        let Some(canvas) = canvas.get() else { return };
        let jpeg = image.bytes.clone();
        leptos::task::spawn_local(async move {
            let Ok(blob) = crate::browser::blob(&jpeg, "image/jpeg") else {
                return;
            };
            let Ok(bitmap) = crate::browser::decode(&blob).await else {
                return;
            };
            canvas.set_width(bitmap.width());
            canvas.set_height(bitmap.height());
            if let Ok(Some(context)) = canvas.get_context("2d") {
                use wasm_bindgen::JsCast;
                let context: web_sys::CanvasRenderingContext2d = context.unchecked_into();
                let _ = context.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0);
            }
            bitmap.close();
        });
    });
    view! {
        <canvas
            node_ref=canvas
            class=class
            role="img"
            aria-label=session.text(label)
            width=image.width
            height=image.height
        ></canvas>
    }
    .into_any()
}

/// A PDF the member chose: its name, its size and, when it can be counted reliably, its pages. It
/// is never drawn: no PDF renderer is shipped, and a PDF is never put through a canvas.
#[component]
fn PdfSummary(pdf: crate::session::PdfFile, size: usize, class: &'static str) -> impl IntoView {
    let session = expect_context::<Session>();
    let facts = move || {
        let lang = session.lang.get();
        let size = crate::i18n::file_size(lang, size);
        let mut facts = crate::i18n::fill(session.t(Text::CapturePdfSize), &[("size", &size)]);
        if let Some(pages) = pdf.pages {
            facts.push_str(" · ");
            facts.push_str(&session.t_count(Text::CapturePdfPages, pages));
        }
        facts
    };
    view! {
        <div class=format!("{class} idcheck-pdf") role="group" aria-label=session.text(Text::CapturePdfAlt)>
            <p class="idcheck-pdf-name"><bdi>{pdf.name.clone()}</bdi></p>
            <p class="idcheck-pdf-facts">{facts}</p>
        </div>
    }
}

/// One option of a choice among several: a large radio card with a title and, maybe, a hint.
/// `picked` runs when the member chooses it.
#[component]
pub fn Choice(
    name: &'static str,
    value: String,
    checked: Signal<bool>,
    picked: impl Fn() + 'static,
    title: Text,
    #[prop(optional)] hint: Option<Text>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <label class="idcheck-choice">
            <input
                type="radio"
                name=name
                value=value
                prop:checked=checked
                on:change=move |_| picked()
            />
            <span class="idcheck-choice-text">
                <strong>{session.text(title)}</strong>
                {hint.map(|hint| view! { <span>{session.text(hint)}</span> })}
            </span>
        </label>
    }
}
