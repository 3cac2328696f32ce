//! The first screen of a member's visit, drawn with the browser's DOM alone so that the first load
//! carries no framework: the welcome step exactly as the flow shows it (same markup, classes, ids
//! and words), usable at once. The visit itself (`parts::adopt`: Leptos and the session) is fetched
//! meanwhile and *adopts* this screen: it wires the screen's controls to the session, and replaces
//! the screen by the flow's views once the member leaves the welcome step. Nothing is redrawn while
//! the member is on it, so no control the member is using is swapped under them.
//!
//! Until the visit is here, the screen keeps what the member does: agreeing, the language (fetched
//! and shown here), and a Continue, which the visit carries out when it arrives. Cancel is the
//! host's, so it works at once.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use idcheck_core::flow::{Flow, Purpose, PurposeSetting};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

use crate::config::{Access, Config, Mode, Provider};
use crate::host::{Detail, Event, Host};
use crate::i18n::{Lang, Text, fill, t};

/// A DOM event listener; dropped with the screen, once the screen is off the page.
type Listener = Closure<dyn FnMut(web_sys::Event)>;

/// What the visit does with the member's actions once it has adopted the screen.
pub trait Adopter {
    /// The member ticked or unticked the consent box.
    fn agreed(&self, agreed: bool);
    /// The member pressed Continue.
    fn next(&self);
    /// The screen now shows `lang` (its strings are here).
    fn language(&self, lang: Lang);
    /// The member chose to continue on their phone.
    fn offer(&self);
}

/// What the member did before the visit arrived, for the visit to carry on from.
pub struct Adoption {
    pub agreed: bool,
    pub lang: Lang,
    /// The last Continue stands: the visit carries it out (or refuses it, as the screen did,
    /// when the box is not ticked).
    pub continued: bool,
}

/// The welcome screen, shared by the instance that drew it and the visit that adopts it.
#[derive(Clone)]
pub struct Shell(Rc<Inner>);

struct Inner {
    root: Element,
    /// Every element showing a text, to show it again in another language.
    texts: Vec<(Element, Text)>,
    progress_label: Element,
    position: (usize, usize),
    select: Option<HtmlSelectElement>,
    lang_failed: Option<Element>,
    consent: HtmlInputElement,
    blocker: Element,
    section: Element,
    offer: Element,
    live: Element,
    lang: Cell<Lang>,
    continued: Cell<bool>,
    adopter: RefCell<Option<Rc<dyn Adopter>>>,
    /// Fetches the visit again, once fetching it failed.
    again: RefCell<Option<Rc<dyn Fn()>>>,
    /// The listeners, kept alive while the screen is on the page.
    listeners: RefCell<Vec<Listener>>,
}

/// The welcome step's title and the list of what will be collected. An address check collects no
/// face photo and no document details: it says only what it takes.
pub fn welcome_content(purpose: PurposeSetting) -> (Text, &'static [Text]) {
    if purpose == PurposeSetting::Only(Purpose::Address) {
        (
            Text::WelcomeTitleAddress,
            &[Text::WelcomeWhatAddressDocument],
        )
    } else {
        (
            Text::WelcomeTitle,
            &[
                Text::WelcomeWhatFace,
                Text::WelcomeWhatDocument,
                Text::WelcomeWhatDetails,
            ],
        )
    }
}

/// Whether a configuration's first screen is the welcome step this module draws: a member's own
/// visit, not a kiosk's, a MasStack identification, a code to type or a visit kept before a reload.
pub fn serves(config: &Config, host: &Host) -> bool {
    config.mode == Mode::Member
        && config.provider == Provider::Nexudus
        && config.access == Access::Configured
        && !crate::resume::is_kept(&host.id_prefix)
}

impl Shell {
    /// Draws the welcome step into `element`, in `lang` once its strings are here (English until
    /// then, as the flow does).
    pub fn draw(element: &HtmlElement, config: &Config, host: &Host, lang: Lang) -> Option<Shell> {
        let document = web_sys::window()?.document()?;
        let make = |parent: &Element, tag: &str, class: &str| -> Option<Element> {
            let element = document.create_element(tag).ok()?;
            if !class.is_empty() {
                element.set_class_name(class);
            }
            parent.append_child(&element).ok()?;
            Some(element)
        };
        let mut texts = Vec::new();
        let mut text = |parent: &Element, tag: &str, class: &str, key: Text| -> Option<Element> {
            let element = make(parent, tag, class)?;
            texts.push((element.clone(), key));
            Some(element)
        };
        let id = |name: &str| format!("{}-{name}", host.id_prefix);

        let root = make(element, "div", "idcheck")?;
        let bar = make(&root, "header", "idcheck-bar")?;
        let progress = make(&bar, "div", "idcheck-progress")?;
        let progress_label = make(&progress, "span", "")?;
        progress_label.set_id(&id("progress-label"));
        let position = Flow::new(config.settings.clone(), String::new()).position();
        let meter = make(&progress, "progress", "")?;
        meter
            .set_attribute("aria-labelledby", &id("progress-label"))
            .ok()?;
        meter.set_attribute("max", &position.1.to_string()).ok()?;
        meter.set_attribute("value", &position.0.to_string()).ok()?;

        let actions = make(&bar, "div", "idcheck-bar-actions")?;
        let choices = if config.languages.is_empty() {
            Lang::ALL.to_vec()
        } else {
            config.languages.clone()
        };
        let (mut select, mut lang_failed) = (None, None);
        if choices.len() > 1 {
            let label = make(&actions, "label", "idcheck-lang")?;
            text(&label, "span", "", Text::Language)?;
            let list: HtmlSelectElement = make(&label, "select", "")?.dyn_into().ok()?;
            for choice in choices {
                let option = make(&list, "option", "")?;
                option.set_attribute("value", choice.tag()).ok()?;
                option.set_attribute("lang", choice.tag()).ok()?;
                option.set_attribute("dir", choice.dir()).ok()?;
                option.set_text_content(Some(choice.native_name()));
            }
            let failed = make(&label, "span", "idcheck-lang-failed")?;
            failed.set_attribute("role", "status").ok()?;
            failed.set_attribute("hidden", "").ok()?;
            select = Some(list);
            lang_failed = Some(failed);
        }
        // A widget can be left at any step; the standalone page is left by closing it.
        let cancel = if config.history {
            None
        } else {
            let button = text(
                &actions,
                "button",
                "idcheck-link idcheck-cancel",
                Text::Cancel,
            )?;
            button.set_attribute("type", "button").ok()?;
            Some(button)
        };

        let main = make(&root, "main", "idcheck-step")?;
        let section = make(&main, "section", "idcheck-welcome")?;
        let (title, collected) = welcome_content(config.settings.purpose);
        let heading: HtmlElement = text(&section, "h1", "idcheck-heading", title)?
            .dyn_into()
            .ok()?;
        heading.set_attribute("tabindex", "-1").ok()?;
        text(&section, "p", "", Text::WelcomeIntro)?;
        text(&section, "h2", "", Text::WelcomeWhatTitle)?;
        let list = make(&section, "ul", "idcheck-collect")?;
        for key in collected {
            text(&list, "li", "", *key)?;
        }
        for key in [Text::WelcomeWhy, Text::WelcomeWho, Text::WelcomeCamera] {
            text(&section, "p", "", key)?;
        }
        let agree = make(&section, "label", "idcheck-consent")?;
        let consent: HtmlInputElement = make(&agree, "input", "")?.dyn_into().ok()?;
        consent.set_type("checkbox");
        consent.set_name("consent");
        text(&agree, "span", "", Text::WelcomeConsent)?;
        let blocker = make(&section, "p", "idcheck-error")?;
        blocker.set_attribute("role", "alert").ok()?;
        blocker.set_id(&id("step-error"));
        let nav = make(&section, "div", "idcheck-nav")?;
        let next = text(&nav, "button", "idcheck-primary", Text::Continue)?;
        next.set_attribute("type", "button").ok()?;
        // On the page once the visit knows this device may hand the visit on to a phone (never
        // there hidden: a control that exists is one a member, or a test, may reach for).
        let offer = make(&section, "div", "idcheck-handoff-offer")?;
        offer.remove();
        let offer_button = text(&offer, "button", "idcheck-secondary", Text::HandoffOffer)?;
        offer_button.set_attribute("type", "button").ok()?;
        text(&offer, "p", "idcheck-hint", Text::HandoffOfferHint)?;

        let live = make(&root, "div", "idcheck-live")?;
        for (name, value) in [
            ("role", "status"),
            ("aria-live", "polite"),
            ("aria-atomic", "true"),
        ] {
            live.set_attribute(name, value).ok()?;
        }

        let shell = Shell(Rc::new(Inner {
            root,
            texts,
            progress_label,
            position,
            select,
            lang_failed,
            consent,
            blocker,
            section,
            offer,
            live,
            lang: Cell::new(Lang::En),
            continued: Cell::new(false),
            adopter: RefCell::new(None),
            again: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
        }));
        shell.show_texts();
        shell.listen(&shell.0.consent, "change", |shell| {
            let agreed = shell.0.consent.checked();
            // A Continue pressed before stands no longer: the member answers it with a new one.
            shell.0.continued.set(false);
            shell.0.blocker.set_text_content(None);
            if let Some(adopter) = shell.adopter() {
                adopter.agreed(agreed);
            }
        });
        shell.listen(&next, "click", Shell::next);
        shell.listen(&offer_button, "click", |shell| {
            if let Some(adopter) = shell.adopter() {
                adopter.offer();
            }
        });
        if let Some(select) = &shell.0.select {
            shell.listen(select, "change", |shell| {
                let chosen = shell.0.select.as_ref().map(HtmlSelectElement::value);
                if let Some(lang) = chosen.as_deref().and_then(Lang::from_tag) {
                    shell.switch(lang);
                }
            });
        }
        if let Some(cancel) = cancel {
            let host = host.clone();
            shell.listen(&cancel, "click", move |_| {
                host.emit(Event::Cancelled, &[("step", Detail::Text("welcome"))]);
                host.request_reset();
            });
        }
        // The step's heading takes focus, as every step's does.
        let _ = heading.focus();
        // Drawn in English above: another language replaces it once its strings are here.
        if lang != Lang::En {
            shell.switch(lang);
        }
        Some(shell)
    }

    fn adopter(&self) -> Option<Rc<dyn Adopter>> {
        self.0.adopter.borrow().clone()
    }

    fn listen(&self, target: &Element, event: &str, act: impl Fn(&Shell) + 'static) {
        // Weak: the listeners live in the screen they act on.
        let shell = Rc::downgrade(&self.0);
        let listener = Listener::new(move |_| {
            if let Some(inner) = Weak::upgrade(&shell) {
                act(&Shell(inner));
            }
        });
        let _ = target.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        self.0.listeners.borrow_mut().push(listener);
    }

    fn next(&self) {
        if let Some(adopter) = self.adopter() {
            adopter.next();
            return;
        }
        // Kept for the visit, which answers it as the flow does when it arrives.
        self.0.continued.set(true);
        if !self.0.consent.checked() {
            // The flow's answer to a Continue without the box ticked, said at once.
            self.set_blocker(Some(Text::WelcomeConsentNeeded));
            return;
        }
        self.set_blocker(None);
        self.announce(t(self.0.lang.get(), Text::PartLoading));
        let again = self.0.again.borrow_mut().take();
        if let Some(again) = again {
            again();
        }
    }

    /// The visit could not be fetched: a Continue already pressed says so (nothing the member
    /// gave is lost), and the next one fetches it again through `again`.
    pub fn unavailable(&self, again: Rc<dyn Fn()>) {
        *self.0.again.borrow_mut() = Some(again);
        if self.0.continued.get() && self.0.consent.checked() {
            self.0.continued.set(false);
            self.announce("");
            self.set_blocker(Some(Text::PartUnavailable));
        }
    }

    /// Shows `lang` once its strings are here (at once when they are); on failure, says so and
    /// keeps the language shown.
    fn switch(&self, lang: Lang) {
        let (shell, kept) = (self.clone(), self.clone());
        crate::translations::when_loaded(
            lang,
            move || shell.shown_in(lang),
            move || {
                let shown = kept.0.lang.get();
                if let Some(select) = &kept.0.select {
                    select.set_value(shown.tag());
                }
                if let Some(failed) = &kept.0.lang_failed {
                    let text = t(shown, Text::LanguageUnavailable);
                    failed
                        .set_text_content(Some(&fill(text, &[("language", shown.native_name())])));
                    let _ = failed.remove_attribute("hidden");
                }
            },
        );
    }

    fn shown_in(&self, lang: Lang) {
        self.0.lang.set(lang);
        if let Some(failed) = &self.0.lang_failed {
            let _ = failed.set_attribute("hidden", "");
        }
        self.show_texts();
        if let Some(adopter) = self.adopter() {
            adopter.language(lang);
        }
    }

    fn show_texts(&self) {
        let lang = self.0.lang.get();
        let _ = self.0.root.set_attribute("lang", lang.tag());
        let _ = self.0.root.set_attribute("dir", lang.dir());
        if let Some(select) = &self.0.select {
            select.set_value(lang.tag());
        }
        for (element, key) in &self.0.texts {
            element.set_text_content(Some(t(lang, *key)));
        }
        let (n, total) = self.0.position;
        self.0.progress_label.set_text_content(Some(&fill(
            t(lang, Text::StepOf),
            &[("n", &n.to_string()), ("total", &total.to_string())],
        )));
    }

    /// Hands the screen to the visit: what the member did so far, and from now on every action.
    pub fn adopt(&self, adopter: Rc<dyn Adopter>) -> Adoption {
        *self.0.adopter.borrow_mut() = Some(adopter);
        Adoption {
            agreed: self.0.consent.checked(),
            lang: self.0.lang.get(),
            continued: self.0.continued.replace(false),
        }
    }

    /// The reason the last Continue did not move on, next to the controls.
    pub fn set_blocker(&self, blocker: Option<Text>) {
        let text = blocker.map(|key| t(self.0.lang.get(), key));
        self.0.blocker.set_text_content(text);
    }

    /// Shows or hides *Continue on your phone*.
    pub fn set_offered(&self, offered: bool) {
        if offered {
            let _ = self.0.section.append_child(&self.0.offer);
        } else {
            self.0.offer.remove();
        }
    }

    /// Says `text` in the screen's live region.
    pub fn announce(&self, text: &str) {
        self.0.live.set_text_content(Some(text));
    }

    /// Takes the screen off the page, with its listeners.
    pub fn remove(&self) {
        self.0.root.remove();
        self.0.listeners.borrow_mut().clear();
        self.0.adopter.borrow_mut().take();
        self.0.again.borrow_mut().take();
    }
}

/// The note shown while the component's first screen is fetched, when it is not the welcome step
/// (a code to type, a phone's arrival, MasStack, a kiosk, a visit kept before a reload): as a
/// part's (`parts::show`), *Loading this step…*, then, if it cannot be fetched, why and *Try
/// again*. Dropping it takes it off the page.
pub struct Note {
    root: Element,
    listener: RefCell<Option<Listener>>,
}

impl Note {
    pub fn loading(element: &HtmlElement, lang: Lang) -> Option<Note> {
        let document = web_sys::window()?.document()?;
        let root = document.create_element("div").ok()?;
        element.append_child(&root).ok()?;
        let note = Note {
            root,
            listener: RefCell::new(None),
        };
        note.loading_again(&document, lang)?;
        Some(note)
    }

    fn loading_again(&self, document: &web_sys::Document, lang: Lang) -> Option<Element> {
        self.say(
            document,
            "p",
            "idcheck-loading",
            "status",
            lang,
            Text::PartLoading,
        )
    }

    fn say(
        &self,
        document: &web_sys::Document,
        tag: &str,
        class: &str,
        role: &str,
        lang: Lang,
        key: Text,
    ) -> Option<Element> {
        let said = document.create_element(tag).ok()?;
        said.set_class_name(class);
        said.set_attribute("role", role).ok()?;
        self.root.set_text_content(None);
        self.root.append_child(&said).ok()?;
        let text = document.create_element("p").ok()?;
        let text = if tag == "p" {
            said.clone()
        } else {
            said.append_child(&text).ok()?;
            text
        };
        text.set_text_content(Some(t(lang, key)));
        Some(said)
    }

    /// Says the first screen could not be fetched, with *Try again*, which says it is loading
    /// again and runs `again`.
    pub fn unavailable(self: &Rc<Self>, lang: Lang, again: impl Fn() + 'static) {
        let Some(document) = web_sys::window().and_then(|window| window.document()) else {
            return;
        };
        let Some(alert) = self.say(
            &document,
            "div",
            "idcheck-error",
            "alert",
            lang,
            Text::PartUnavailable,
        ) else {
            return;
        };
        let Ok(button) = document.create_element("button") else {
            return;
        };
        button.set_class_name("idcheck-primary");
        let _ = button.set_attribute("type", "button");
        button.set_text_content(Some(t(lang, Text::Retry)));
        let _ = alert.append_child(&button);
        let note = Rc::downgrade(self);
        let listener = Listener::new(move |_| {
            if let Some(note) = note.upgrade() {
                note.loading_again(&document, lang);
            }
            again();
        });
        let _ = button.add_event_listener_with_callback("click", listener.as_ref().unchecked_ref());
        *self.listener.borrow_mut() = Some(listener);
    }
}

impl Drop for Note {
    fn drop(&mut self) {
        self.root.remove();
    }
}
