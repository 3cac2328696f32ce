//! The component as the module exports it to host pages: `mount(element, config)` returning a
//! handle with `unmount()` and `reset()`, the `<idcheck-onboarding>` custom element, and the
//! standalone page (a `<body data-idcheck-page>`). Every instance owns its own state, so several
//! can live on one page without touching each other.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::config::{self, Config};
use crate::host::{Host, InvitationUse};
use crate::i18n::Lang;
use crate::parts;
use crate::shell::{self, Note, Shell};

#[wasm_bindgen(inline_js = r#"
export function define_onboarding(mount) {
  if (customElements.get('idcheck-onboarding')) return;
  customElements.define('idcheck-onboarding', class extends HTMLElement {
    connectedCallback() {
      if (!this.idcheck) this.idcheck = mount(this, this.tokenProvider || null);
    }
    disconnectedCallback() {
      if (this.idcheck) { this.idcheck.unmount(); this.idcheck = null; }
    }
    reset() { if (this.idcheck) this.idcheck.reset(); }
  });
}
"#)]
extern "C" {
    fn define_onboarding(mount: &Function);
}

thread_local! {
    /// How many instances this page has mounted: only to give each one unique element ids.
    static MOUNTED: Cell<u32> = const { Cell::new(0) };
}

fn next_id_prefix() -> String {
    let count = MOUNTED.with(|mounted| {
        let count = mounted.get() + 1;
        mounted.set(count);
        count
    });
    if count == 1 {
        "idcheck".to_string()
    } else {
        format!("idcheck{count}")
    }
}

/// One mounted component and what it needs to start again.
struct Instance {
    element: HtmlElement,
    settings: Vec<(String, String)>,
    provider: Option<Function>,
    id_prefix: String,
    /// What became of the `invitation` setting, kept across resets (a code is single-use).
    invitation: Rc<RefCell<InvitationUse>>,
    /// The mounted view; dropping it unmounts everything (and stops the camera).
    mounted: RefCell<Option<Box<dyn Any>>>,
    /// The welcome screen drawn before the visit's part arrived (`shell`), until the visit
    /// replaces it; or the note shown while another first screen is fetched.
    first: RefCell<First>,
    /// Counts starts, so that a part arriving after a reset or an unmount is not mounted.
    started: Cell<u32>,
    /// A reset loads the page again instead of remounting: a front-desk kiosk that serves one
    /// person after another (the standalone page asking each for their code). A fresh page is a
    /// fresh wasm memory, so nothing a member typed or photographed survives in freed buffers.
    reload_on_reset: bool,
}

impl Instance {
    fn start(self: &Rc<Self>) {
        // The mounted view holds its instance (through `reset`), so a mounted component stays on
        // the page even if the host drops its handle; unmounting drops the view and ends the cycle.
        let instance = Rc::clone(self);
        let host = Host {
            element: Some(self.element.clone()),
            token_provider: self.provider.clone(),
            reset: Some(Rc::new(move || instance.restart())),
            id_prefix: self.id_prefix.clone(),
            invitation: Rc::clone(&self.invitation),
        };
        let config = config::parse(
            self.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            self.provider.is_some(),
        );
        let start = self.started.get().wrapping_add(1);
        self.started.set(start);
        // The first module draws a member's welcome step itself and fetches the visit (Leptos,
        // the session, the flow) at once; every other first screen comes with that part.
        let lang = config.as_ref().map_or(Lang::En, Config::starting_language);
        match config {
            Ok(config) if shell::serves(&config, &host) => {
                let Some(screen) = Shell::draw(&self.element, &config, &host, lang) else {
                    return;
                };
                *self.first.borrow_mut() = First::Screen(screen.clone());
                // Usable now: the visit is fetched after this point.
                usable();
                self.adopt(start, screen, config, host);
            }
            config => {
                parts::prefetch_first(&config);
                let note = Note::loading(&self.element, lang).map(Rc::new);
                *self.first.borrow_mut() = First::Note(note);
                self.mount_component(start, lang, config, host);
            }
        }
    }

    /// Fetches the visit, which adopts the welcome `screen`.
    fn adopt(self: &Rc<Self>, start: u32, screen: Shell, config: Config, host: Host) {
        let instance = Rc::clone(self);
        let visit = parts::adopt(
            self.element.clone(),
            screen.clone(),
            config.clone(),
            host.clone(),
        );
        parts::when_ready(visit, move |visit| {
            // Reset or unmounted meanwhile: that start is over.
            if instance.started.get() != start {
                return;
            }
            match visit {
                Ok(mounted) => *instance.mounted.borrow_mut() = Some(mounted),
                Err(_) => {
                    let again = Rc::clone(&instance);
                    let (config, host, shown) = (config.clone(), host.clone(), screen.clone());
                    screen.unavailable(Rc::new(move || {
                        again.adopt(start, shown.clone(), config.clone(), host.clone())
                    }));
                }
            }
        });
    }

    /// Fetches the component and mounts it in place of the loading note.
    fn mount_component(
        self: &Rc<Self>,
        start: u32,
        lang: Lang,
        config: Result<Config, Vec<config::Problem>>,
        host: Host,
    ) {
        let instance = Rc::clone(self);
        let component = parts::component(self.element.clone(), config.clone(), host.clone());
        parts::when_ready(component, move |component| {
            if instance.started.get() != start {
                return;
            }
            match component {
                Ok(mounted) => {
                    *instance.first.borrow_mut() = First::Nothing;
                    *instance.mounted.borrow_mut() = Some(mounted);
                    usable();
                }
                Err(_) => {
                    if let First::Note(Some(note)) = &*instance.first.borrow() {
                        let again = Rc::clone(&instance);
                        note.unavailable(lang, move || {
                            again.mount_component(start, lang, config.clone(), host.clone())
                        });
                    }
                }
            }
        });
    }

    fn stop(&self) {
        self.started.set(self.started.get().wrapping_add(1));
        // Dropped outside the borrow: unmounting runs cleanups that may look at this instance.
        let mounted = self.mounted.borrow_mut().take();
        drop(mounted);
        if let First::Screen(screen) = self.first.replace(First::Nothing) {
            screen.remove();
        }
    }

    fn restart(self: &Rc<Self>) {
        self.stop();
        // A reset keeps nothing of the previous visit, not even for a reload.
        crate::resume::forget(&self.id_prefix);
        if self.reload_on_reset
            && let Some(window) = web_sys::window()
            && window.location().reload().is_ok()
        {
            return;
        }
        self.start();
    }
}

/// Marks the moment the first screen is on the page with its handlers: what `cargo xtask bench`
/// times a load to, and splits what a first load fetched from what came after.
fn usable() {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark("idcheck-usable");
    }
}

/// What shows before the component's part is here.
enum First {
    Nothing,
    Screen(Shell),
    Note(Option<Rc<Note>>),
}

/// A mounted component, as the host holds it.
#[wasm_bindgen]
pub struct Handle {
    instance: Rc<Instance>,
}

#[wasm_bindgen]
impl Handle {
    /// Takes the component off the page: its elements, listeners, timers and camera go with it.
    pub fn unmount(&self) {
        self.instance.stop();
        // A redeemed invitation's member is kept across resets, not beyond the instance.
        *self.instance.invitation.borrow_mut() = InvitationUse::Unused;
    }

    /// Starts again from the welcome step, keeping nothing of the previous member.
    pub fn reset(&self) {
        self.instance.restart();
    }
}

fn mount_instance(
    element: HtmlElement,
    settings: Vec<(String, String)>,
    provider: Option<Function>,
    reload_on_reset: bool,
) -> Handle {
    let instance = Rc::new(Instance {
        element,
        settings,
        provider,
        id_prefix: next_id_prefix(),
        invitation: Rc::default(),
        mounted: RefCell::new(None),
        first: RefCell::new(First::Nothing),
        started: Cell::new(0),
        reload_on_reset,
    });
    instance.start();
    Handle { instance }
}

/// Mounts the component into `element`. `config` is an object with the settings of the README
/// (camelCase or kebab-case names; arrays for lists) and, optionally, `tokenProvider`: a function
/// returning a bearer token or a promise of one, called at start and after a 401.
#[wasm_bindgen]
pub fn mount(element: HtmlElement, config: JsValue) -> Result<Handle, JsValue> {
    let (settings, provider) = settings_from_object(&config)?;
    Ok(mount_instance(element, settings, provider, false))
}

/// What a host's configuration object holds: the settings as `(name, value)` pairs, and the
/// token provider.
type HostSettings = (Vec<(String, String)>, Option<Function>);

/// Reads a host's configuration object into setting pairs and the token provider.
fn settings_from_object(config: &JsValue) -> Result<HostSettings, JsValue> {
    if config.is_undefined() || config.is_null() {
        return Ok((Vec::new(), None));
    }
    let object: &Object = config.dyn_ref().ok_or_else(|| {
        JsValue::from_str("idcheck: mount(element, config) takes a configuration object")
    })?;
    let mut settings = Vec::new();
    let mut provider = None;
    for entry in Object::entries(object).iter() {
        let entry: Array = entry.unchecked_into();
        let Some(key) = entry.get(0).as_string() else {
            continue;
        };
        let value = entry.get(1);
        if key == "tokenProvider" {
            provider = value.dyn_into::<Function>().ok();
            if provider.is_none() {
                return Err(JsValue::from_str(
                    "idcheck: tokenProvider must be a function",
                ));
            }
            continue;
        }
        if let Some(text) = setting_text(&value) {
            settings.push((kebab_case(&key), text));
        }
    }
    Ok((settings, provider))
}

/// A setting's value as text: strings, numbers and booleans as written, arrays comma-separated.
fn setting_text(value: &JsValue) -> Option<String> {
    if let Some(text) = value.as_string() {
        return Some(text);
    }
    // JavaScript's own `String(number)`: Rust's float formatting would weigh more in the first
    // load than all the settings it reads.
    if value.as_f64().is_some() {
        return js_sys::Number::unchecked_from_js_ref(value)
            .to_string_with_radix(10)
            .ok()
            .map(String::from);
    }
    if let Some(flag) = value.as_bool() {
        return Some(flag.to_string());
    }
    if Array::is_array(value) {
        let items: Vec<String> = Array::from(value)
            .iter()
            .filter_map(|item| setting_text(&item))
            .collect();
        return Some(items.join(","));
    }
    None
}

/// `identityTypes` → `identity-types`, so objects can use JavaScript's naming.
fn kebab_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The settings an element carries as attributes (`<idcheck-onboarding business="1" …>`).
fn settings_from_attributes(element: &HtmlElement) -> Vec<(String, String)> {
    let attributes = element.attributes();
    (0..attributes.length())
        .filter_map(|index| attributes.item(index))
        .map(|attribute| {
            let name = attribute.name();
            let name = name.strip_prefix("data-").unwrap_or(&name).to_string();
            (name, attribute.value())
        })
        .filter(|(name, _)| !matches!(name.as_str(), "class" | "id" | "style" | "idcheck-page"))
        .collect()
}

/// Runs when the module loads: defines `<idcheck-onboarding>`, and mounts the standalone page
/// when the page asks for it.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let mount_element = Closure::<dyn Fn(HtmlElement, JsValue) -> JsValue>::new(
        |element: HtmlElement, provider: JsValue| {
            let settings = settings_from_attributes(&element);
            JsValue::from(mount_instance(
                element,
                settings,
                provider.dyn_into::<Function>().ok(),
                false,
            ))
        },
    );
    define_onboarding(mount_element.as_ref().unchecked_ref());
    // The element definition lives as long as the page.
    mount_element.forget();

    let Some(body) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.body())
    else {
        return;
    };
    if body.has_attribute("data-idcheck-page") {
        // The page's "loading" line has done its job.
        if let Ok(Some(placeholder)) = body.query_selector("[data-idcheck-placeholder]") {
            placeholder.remove();
        }
        let mut settings = settings_from_attributes(&body);
        settings.extend(crate::page::settings());
        crate::page::reload_on_new_token();
        // The standalone page owns its history; a widget leaves the host's alone.
        settings.push(("history".into(), "true".into()));
        let named = |name: &str| settings.iter().any(|(key, _)| key == name);
        let serves_many = settings.iter().any(|(k, v)| k == "mode" && v == "kiosk")
            && !named("token")
            && !named("coworker");
        let handle = mount_instance(body, settings, None, serves_many);
        std::mem::forget(handle);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn javascript_names_become_setting_names() {
        assert_eq!(kebab_case("identityTypes"), "identity-types");
        assert_eq!(kebab_case("token"), "token");
        assert_eq!(kebab_case("pollSeconds"), "poll-seconds");
    }

    #[test]
    fn a_configuration_object_becomes_settings_and_a_provider() {
        let config = js_sys::eval(
            "({business: 1, coworker: 7, identityTypes: ['Passport', 'IdCard'], fullscreen: true, tokenProvider: () => 't'})",
        )
        .unwrap();
        let (settings, provider) = settings_from_object(&config).unwrap();
        assert_eq!(
            settings,
            [
                ("business".to_string(), "1".to_string()),
                ("coworker".to_string(), "7".to_string()),
                ("identity-types".to_string(), "Passport,IdCard".to_string()),
                ("fullscreen".to_string(), "true".to_string()),
            ]
        );
        assert!(provider.is_some());
        let bad = js_sys::eval("({tokenProvider: 'not a function'})").unwrap();
        assert!(settings_from_object(&bad).is_err());
    }
}
