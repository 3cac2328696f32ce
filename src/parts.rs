//! The component's parts: the views of the steps a member reaches later, each a wasm module of its
//! own in the shipped build, fetched while the member reads the step before (so the first screen
//! loads only what it shows) and awaited, normally already here, when its step opens.
//!
//! `part!` declares one: built with `--cfg idcheck_split` (what `cargo xtask` ships), it is a
//! wasm-split point whose code lands in the module named by its first argument; without it (tests,
//! checks) it is an async function in the one module, so both builds run the very same views.

use leptos::prelude::*;

/// A part's module could not be fetched (offline, a deploy in between): the step says so and offers
/// to try again instead of showing nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

#[cfg(idcheck_split)]
impl From<leptos::wasm_split::SplitLoaderError> for Unavailable {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Unavailable
    }
}

/// `part!(module, prefetch_fn, fn name(args) -> Type { body })` declares `async fn name(args) ->
/// Result<Type, Unavailable>` and `async fn prefetch_fn()`, which fetches the module without
/// running anything.
macro_rules! part {
    ($module:ident, $prefetch:ident, $(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        #[cfg(idcheck_split)]
        #[::leptos::wasm_split::wasm_split($module, wasm_split_path = ::leptos::wasm_split, preload(#[allow(dead_code)] $prefetch), fallible)]
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) -> ::core::result::Result<$ret, $crate::parts::Unavailable> {
            ::core::result::Result::Ok($body)
        }

        #[cfg(not(idcheck_split))]
        $(#[$meta])*
        $vis async fn $name($($arg: $ty),*) -> ::core::result::Result<$ret, $crate::parts::Unavailable> {
            ::core::result::Result::Ok($body)
        }

        #[cfg(not(idcheck_split))]
        #[allow(dead_code)]
        $vis async fn $prefetch() -> ::core::result::Result<(), $crate::parts::Unavailable> {
            ::core::result::Result::Ok(())
        }
    };
}

/// What a view part gives: the function that makes its view, which `show` calls where the view
/// goes (so it is owned, and disposed, like any other view there), never inside the fetch.
pub type Maker = std::rc::Rc<dyn Fn() -> AnyView>;

// The visit itself: Leptos, the session and the flow's frame. The first module draws only the
// welcome screen (`shell`) and fetches this part at once: it adopts that screen, or, for the first
// screens the shell does not draw, mounts the component.
part!(
    visit,
    prefetch_visit,
    pub fn adopt(
        element: web_sys::HtmlElement,
        shell: crate::shell::Shell,
        config: crate::config::Config,
        host: crate::host::Host,
    ) -> Box<dyn std::any::Any> {
        Box::new(leptos::mount::mount_to(element, move || {
            crate::ui::adopted_visit(shell.clone(), config.clone(), host.clone())
        }))
    }
);

part!(
    visit,
    prefetch_component,
    pub fn component(
        element: web_sys::HtmlElement,
        config: Result<crate::config::Config, Vec<crate::config::Problem>>,
        host: crate::host::Host,
    ) -> Box<dyn std::any::Any> {
        Box::new(leptos::mount::mount_to(element, move || {
            view! { <crate::App config=config.clone() host=host.clone()/> }
        }))
    }
);

// The steps after the welcome, grouped by when they are reached: each group is prefetched while the
// member reads the step before it (`prefetch_ahead`).
part!(
    answers,
    prefetch_answers,
    pub fn answers(step: idcheck_core::flow::Step) -> Maker {
        use crate::ui::steps::{details::Details, document::DocumentStep, purpose::PurposeStep};
        use idcheck_core::flow::Step;
        std::rc::Rc::new(move || match step {
            Step::Purpose => view! { <PurposeStep/> }.into_any(),
            Step::DocumentType => view! { <DocumentStep/> }.into_any(),
            _ => view! { <Details/> }.into_any(),
        })
    }
);

part!(
    capture,
    prefetch_capture,
    pub fn capture(slot: idcheck_core::slots::Slot) -> Maker {
        std::rc::Rc::new(move || {
            view! { <crate::ui::steps::capture::Capture side=slot/> }.into_any()
        })
    }
);

part!(
    review,
    prefetch_review,
    pub fn review(step: idcheck_core::flow::Step) -> Maker {
        use crate::ui::steps::{review::Review, submitted::Submitted};
        std::rc::Rc::new(move || match step {
            idcheck_core::flow::Step::Review => view! { <Review/> }.into_any(),
            _ => view! { <Submitted/> }.into_any(),
        })
    }
);

// The branches some visits take, and only those, with the work that goes with them.
part!(
    handoff,
    prefetch_handoff,
    pub fn handoff_screen() -> Maker {
        std::rc::Rc::new(|| view! { <crate::ui::handoff::HandoffScreen/> }.into_any())
    }
);

part!(
    handoff,
    prefetch_continue_on_phone,
    pub fn continue_on_phone(session: crate::session::Session) -> () {
        session.continue_on_phone()
    }
);

part!(
    handoff,
    prefetch_follow_handoff,
    pub fn follow_handoff(session: crate::session::Session, id: String) -> () {
        session.follow_handoff(id)
    }
);

// Another language's strings, fetched and read when a member prefers or chooses one.
part!(
    language,
    prefetch_language,
    pub fn language(
        lang: crate::i18n::Lang,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
        Box::pin(crate::translations::load(lang))
    }
);

// A visit kept before a reload: read back (its part, fetched only when `resume::is_kept` says
// there is one), and written whenever it changes.
part!(
    resume,
    prefetch_resume,
    pub fn resumed_visit(
        config: crate::config::Config,
        host: crate::host::Host,
        lang: crate::i18n::Lang,
    ) -> Maker {
        std::rc::Rc::new(move || {
            let session =
                crate::session::Session::new(config.clone(), crate::i18n::Lang::En, host.clone());
            crate::ui::visit_in(session, lang).into_any()
        })
    }
);

part!(
    keep,
    prefetch_keep,
    pub fn keep(session: crate::session::Session) -> () {
        session.keep_now()
    }
);

part!(
    open_checks,
    prefetch_open_checks,
    pub fn continue_open_checks(session: crate::session::Session) -> () {
        session.continue_open_checks()
    }
);

part!(
    arrival,
    prefetch_arrival,
    pub fn arrival(
        config: crate::config::Config,
        host: crate::host::Host,
        lang: crate::i18n::Lang,
        code: String,
    ) -> Maker {
        std::rc::Rc::new(move || {
            let (config, host, code) = (config.clone(), host.clone(), code.clone());
            view! { <crate::ui::handoff::Arrival config host lang code/> }.into_any()
        })
    }
);

part!(
    code,
    prefetch_code,
    pub fn enter_code(
        config: crate::config::Config,
        host: crate::host::Host,
        lang: crate::i18n::Lang,
        redeem_at_start: Option<String>,
    ) -> Maker {
        use crate::ui::enter_code::EnterCode;
        std::rc::Rc::new(move || {
            let (config, host) = (config.clone(), host.clone());
            match redeem_at_start.clone() {
                Some(code) => {
                    view! { <EnterCode config host lang redeem_at_start=code/> }.into_any()
                }
                None => view! { <EnterCode config host lang/> }.into_any(),
            }
        })
    }
);

part!(
    masstack,
    prefetch_masstack,
    pub fn masstack(
        config: crate::config::Config,
        settings: crate::config::MasStackSettings,
        host: crate::host::Host,
        lang: crate::i18n::Lang,
    ) -> Maker {
        std::rc::Rc::new(move || {
            let (config, settings, host) = (config.clone(), settings.clone(), host.clone());
            crate::ui::masstack_visit(config, settings, host, lang).into_any()
        })
    }
);

// A configuration the component cannot work with: which settings to fix.
part!(
    problems,
    prefetch_problems,
    pub fn config_problems(
        problems: Vec<crate::config::Problem>,
        lang: RwSignal<crate::i18n::Lang>,
    ) -> Maker {
        std::rc::Rc::new(move || {
            let problems = problems.clone();
            view! { <crate::ui::ConfigProblems problems lang/> }.into_any()
        })
    }
);

part!(
    kiosk,
    prefetch_kiosk,
    pub fn kiosk_guard(kiosk: crate::config::Kiosk, activity: crate::ui::kiosk::Activity) -> Maker {
        std::rc::Rc::new(move || view! { <crate::ui::kiosk::Guard kiosk activity/> }.into_any())
    }
);

part!(
    kiosk,
    prefetch_kiosk_full_screen,
    pub fn kiosk_full_screen(lang: RwSignal<crate::i18n::Lang>) -> Maker {
        std::rc::Rc::new(move || view! { <crate::ui::kiosk::FullScreen lang/> }.into_any())
    }
);

/// Fetches, beside the visit's part, the part a first screen other than the welcome step shows
/// (`shell::serves` says which have one), so that both come in one round trip.
pub fn prefetch_first(config: &Result<crate::config::Config, Vec<crate::config::Problem>>) {
    use crate::config::{Access, Mode, Provider};
    let Ok(config) = config else {
        wasm_bindgen_futures::spawn_local(async {
            let _ = prefetch_problems().await;
        });
        return;
    };
    let kiosk = matches!(config.mode, Mode::Kiosk(_));
    let access = config.access.clone();
    let masstack = matches!(config.provider, Provider::MasStack(_));
    wasm_bindgen_futures::spawn_local(async move {
        let _ = match access {
            _ if masstack => prefetch_masstack().await,
            Access::Handoff(_) => prefetch_arrival().await,
            Access::Invitation(_) | Access::AskForCode => prefetch_code().await,
            Access::Configured if kiosk => prefetch_kiosk().await,
            Access::Configured => prefetch_resume().await,
        };
    });
}

/// The parts of the flow's steps, in the order a member reaches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlowPart {
    Answers,
    Capture,
    Review,
}

const FLOW_PARTS: [FlowPart; 3] = [FlowPart::Answers, FlowPart::Capture, FlowPart::Review];

impl FlowPart {
    /// The part `step`'s view is in (the welcome's is in the first module).
    fn of(step: idcheck_core::flow::Step) -> Option<Self> {
        use idcheck_core::flow::Step;
        match step {
            Step::Welcome => None,
            Step::Purpose | Step::DocumentType | Step::Details => Some(Self::Answers),
            Step::Capture(_) => Some(Self::Capture),
            Step::Review | Step::Submitted => Some(Self::Review),
        }
    }

    /// Fetches the part's module (once: later calls find it loaded). A failure is left for the
    /// step to meet: it fetches again when it opens.
    async fn fetch(self) {
        let _ = match self {
            Self::Answers => prefetch_answers().await,
            Self::Capture => prefetch_capture().await,
            Self::Review => prefetch_review().await,
        };
    }
}

/// Once the first step is up, fetches the parts of the steps ahead, the nearest first and one at a
/// time (so the one needed next never shares the connection with a later one), and the hand-off's
/// when it is offered. A part that cannot be fetched now is fetched again when its step opens.
pub fn prefetch_ahead(session: crate::session::Session) {
    let step = session.flow.with_untracked(|flow| flow.step());
    let from = FlowPart::of(step).map_or(0, |part| part as usize);
    leptos::task::spawn_local(async move {
        // After the current task: the first step is shown before anything else is asked for.
        crate::browser::sleep_ms(0).await;
        for part in &FLOW_PARTS[from..] {
            part.fetch().await;
        }
        // The visit may have ended (a reset, the widget removed) while the parts came.
        if !session.flow.is_disposed() && untrack(|| session.offers_phone()) {
            let _ = prefetch_continue_on_phone().await;
        }
    });
}

/// Runs `done` with the output of `future`: in this very turn when it is ready at once (a part
/// already here, or any part in tests), otherwise when it is.
pub fn when_ready<T: 'static>(
    future: impl std::future::Future<Output = T> + 'static,
    done: impl FnOnce(T) + 'static,
) {
    use std::task::{Context, Poll, Waker};
    let mut future = Box::pin(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => done(output),
        Poll::Pending => wasm_bindgen_futures::spawn_local(async move { done(future.await) }),
    }
}

/// How a part's view is fetched, with the future's type erased (see `show`).
type Load = std::rc::Rc<
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Maker, Unavailable>>>>,
>;

/// Shows the view of the part `load` fetches: at once when it is already here (prefetched), a
/// polite note while it is on its way, and when it cannot be fetched, the reason and *Try again*
/// (everything the member gave stays in the session).
pub fn show<F, Fut>(lang: RwSignal<crate::i18n::Lang>, load: F) -> AnyView
where
    F: Fn() -> Fut + 'static,
    Fut: std::future::Future<Output = Result<Maker, Unavailable>> + 'static,
{
    // Only this line is made once per part: the views below exist once in the first module, not
    // once for every place a part is shown.
    show_loaded(lang, std::rc::Rc::new(move || Box::pin(load())))
}

fn show_loaded(lang: RwSignal<crate::i18n::Lang>, load: Load) -> AnyView {
    let text = move |key| move || crate::i18n::t(lang.get(), key);
    // `None` while the part is on its way.
    let state = RwSignal::new_local(None::<Result<Maker, Unavailable>>);
    let fetch = std::rc::Rc::new(move || {
        state.set(None);
        // A part already here answers at once: its view is then made in this very turn, with no
        // frame of "Loading". The step may have been left by the time one on its way arrives.
        when_ready(load(), move |done| {
            let _ = state.try_set(Some(done));
        });
    });
    fetch();
    let again = send_wrapper::SendWrapper::new(fetch);
    (move || match state.get() {
        Some(Ok(make)) => make(),
        None => view! {
            <p class="idcheck-loading" role="status">{text(crate::i18n::Text::PartLoading)}</p>
        }
        .into_any(),
        Some(Err(Unavailable)) => {
            let again = again.clone();
            view! {
                <div class="idcheck-error" role="alert">
                    <p>{text(crate::i18n::Text::PartUnavailable)}</p>
                    <button type="button" class="idcheck-primary" on:click=move |_| (*again)()>
                        {text(crate::i18n::Text::Retry)}
                    </button>
                </div>
            }
            .into_any()
        }
    })
    .into_any()
}
