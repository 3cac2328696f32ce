//! A whole passport check in Arabic and in Japanese, driven without a word of English: every
//! heading and button is waited for by its text in the member's language, read from that language's
//! translation file, and every screen is searched for English left behind: any text of
//! `locales/en.json` whose translation neither equals it nor keeps it (a proper name) must not
//! show, neither in the visible text nor in the `placeholder`, `aria-label`, `alt` and `title`
//! attributes; texts with placeholders are looked for filled and by their longer fragments. The component's root must
//! say its language and direction on every screen, and in Arabic the layout must be mirrored.
//! Phone-size screenshots of every step are saved as `ar-<step>.png` and `ja-<step>.png`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, PHONE, scratch, workspace_root};
use serde_json::Value;

/// The plural categories an i18next key may end in (`key_one`, `key_other`…).
const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// A placeholder (`{{n}}`) may stand for at most this many characters of the shown text.
const PLACEHOLDER_MAX_CHARS: usize = 40;

/// Literal fragments of texts with placeholders are looked for on their own from this length.
const FRAGMENT_MIN_CHARS: usize = 12;

/// The primary button of the step's navigation.
const PRIMARY: &str = ".idcheck-nav .idcheck-primary";

/// Each test has a minute; the page should need far less.
const TEST_BUDGET: Duration = Duration::from_secs(60);

/// A translation file: key → text.
fn read_locale(tag: &str) -> BTreeMap<String, String> {
    let path = workspace_root().join("locales").join(format!("{tag}.json"));
    let json = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{} cannot be read: {err}", path.display()));
    let value: Value = serde_json::from_str(&json)
        .unwrap_or_else(|err| panic!("{} is not JSON: {err}", path.display()));
    value
        .as_object()
        .unwrap_or_else(|| panic!("{} is not a JSON object", path.display()))
        .iter()
        .map(|(key, text)| {
            let text = text
                .as_str()
                .unwrap_or_else(|| panic!("{}: `{key}` is not a string", path.display()));
            (key.clone(), text.to_string())
        })
        .collect()
}

/// The key's plural base when it is one form of a plural (`kiosk_thanks_one` → `kiosk_thanks`).
fn plural_base<'a>(key: &'a str, texts: &BTreeMap<String, String>) -> Option<&'a str> {
    PLURAL_CATEGORIES.iter().find_map(|category| {
        let base = key.strip_suffix(&format!("_{category}"))?;
        texts.contains_key(&format!("{base}_other")).then_some(base)
    })
}

/// The literal parts of a text around its `{{placeholders}}`: n placeholders make n + 1 parts.
fn literals(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        parts.push(&rest[..open]);
        rest = &rest[open + close + 2..];
    }
    parts.push(rest);
    parts
}

/// How an English text would show if it leaked.
#[derive(Debug)]
enum Leak {
    /// A text without placeholders, shown as it is.
    Whole(String),
    /// A literal fragment of a text with placeholders, long enough to be telling on its own.
    Fragment(String),
    /// A text with placeholders, filled: its literal parts in order, each placeholder standing for
    /// a few characters on the same line.
    Template(Vec<String>),
}

impl Leak {
    fn found_in(&self, shown: &str) -> bool {
        match self {
            Leak::Whole(text) | Leak::Fragment(text) => contains_words(shown, text),
            Leak::Template(parts) => template_found(shown, parts),
        }
    }

    fn describe(&self) -> String {
        match self {
            Leak::Whole(text) => format!("{text:?}"),
            Leak::Fragment(text) => format!("the fragment {text:?}"),
            Leak::Template(parts) => format!("the filled text {:?}", parts.join("{{…}}")),
        }
    }
}

/// Whether `needle` occurs in `haystack` not glued to letters or digits on either side (so that
/// "Back" is not found in "Feedback").
fn contains_words(haystack: &str, needle: &str) -> bool {
    let needle = needle.trim();
    if needle.is_empty() {
        return false;
    }
    haystack
        .match_indices(needle)
        .any(|(at, _)| bounded(haystack, at, at + needle.len(), needle))
}

/// Whether the match `haystack[start..end]` of `needle` is not part of a longer word.
fn bounded(haystack: &str, start: usize, end: usize, needle: &str) -> bool {
    let glued = |outside: Option<char>, inside: Option<char>| matches!((outside, inside), (Some(o), Some(i)) if o.is_alphanumeric() && i.is_alphanumeric());
    !glued(haystack[..start].chars().next_back(), needle.chars().next())
        && !glued(haystack[end..].chars().next(), needle.chars().next_back())
}

/// Whether the literal `parts` of a template show in order, each gap (a filled placeholder) being
/// 1 to [`PLACEHOLDER_MAX_CHARS`] characters without a line break.
fn template_found(shown: &str, parts: &[String]) -> bool {
    fn rest_found(shown: &str, from: usize, parts: &[String]) -> bool {
        let Some((part, later)) = parts.split_first() else {
            return true;
        };
        let window: String = shown[from..]
            .chars()
            .take(PLACEHOLDER_MAX_CHARS + part.chars().count())
            .collect();
        if part.is_empty() {
            // A placeholder ends the text: something must fill it.
            return window.chars().next().is_some_and(|c| c != '\n');
        }
        window.match_indices(part.as_str()).any(|(at, _)| {
            at > 0
                && !window[..at].contains('\n')
                && rest_found(shown, from + at + part.len(), later)
        })
    }
    let Some((first, later)) = parts.split_first() else {
        return false;
    };
    if first.is_empty() {
        // The text starts with a placeholder: look for the next literal anywhere.
        return shown
            .match_indices(later[0].as_str())
            .any(|(at, _)| at > 0 && rest_found(shown, at + later[0].len(), &later[1..]));
    }
    shown
        .match_indices(first.as_str())
        .any(|(at, _)| rest_found(shown, at + first.len(), later))
}

/// A language as the test sees it: its texts, and the English that must not show in it.
struct Language {
    tag: &'static str,
    rtl: bool,
    texts: BTreeMap<String, String>,
    /// (key, how its English would show) for every key translated differently.
    forbidden: Vec<(String, Leak)>,
}

impl Language {
    fn load(tag: &'static str, rtl: bool) -> Language {
        let english = read_locale("en");
        let texts = read_locale(tag);
        let mut forbidden = Vec::new();
        for (key, source) in &english {
            // The translations of this key: its own, or every plural form of its base.
            let translated: Vec<&String> = match plural_base(key, &english) {
                Some(base) => texts
                    .iter()
                    .filter(|(other, _)| plural_base(other, &texts) == Some(base))
                    .map(|(_, text)| text)
                    .collect(),
                None => texts.get(key).into_iter().collect(),
            };
            // The same in both, or kept inside the translation (a proper name such as
            // "Matrícula consular (México)"): nothing to look for.
            if translated.iter().any(|text| contains_words(text, source)) {
                continue;
            }
            let parts = literals(source);
            if parts.len() == 1 {
                forbidden.push((key.clone(), Leak::Whole(source.clone())));
                continue;
            }
            for part in &parts {
                if part.trim().chars().count() >= FRAGMENT_MIN_CHARS {
                    forbidden.push((key.clone(), Leak::Fragment(part.trim().to_string())));
                }
            }
            // The whole text filled, when its literal parts say enough to be recognised.
            if parts
                .iter()
                .map(|part| part.trim().chars().count())
                .sum::<usize>()
                >= 4
            {
                let parts = parts.iter().map(|part| part.to_string()).collect();
                forbidden.push((key.clone(), Leak::Template(parts)));
            }
        }
        Language {
            tag,
            rtl,
            texts,
            forbidden,
        }
    }

    /// The language's text for `key` (a placeholder-free one: headings and buttons).
    fn t(&self, key: &str) -> &str {
        self.texts
            .get(key)
            .unwrap_or_else(|| panic!("locales/{}.json has no `{key}`", self.tag))
    }
}

/// Collects what is wrong on each screen, so that one run reports every leak, not only the first.
struct Inspector<'a> {
    browser: &'a Browser,
    language: &'a Language,
    problems: RefCell<Vec<String>>,
}

/// Everything a member can read in the component: its rendered text and the attributes that are
/// shown or spoken.
const SHOWN_TEXT: &str = r#"(() => {
    const root = document.querySelector('.idcheck');
    if (!root) return '';
    const parts = [root.innerText];
    for (const element of [root, ...root.querySelectorAll('[placeholder],[aria-label],[alt],[title]')]) {
        for (const name of ['placeholder', 'aria-label', 'alt', 'title']) {
            const value = element.getAttribute(name);
            if (value) parts.push(value);
        }
    }
    return parts.join('\n');
})()"#;

/// The root's language and direction, and where the heading's text and the bar's two ends are.
const LAYOUT: &str = r#"(() => {
    const root = document.querySelector('.idcheck');
    const heading = root.querySelector('h1');
    const box = heading.getBoundingClientRect();
    const style = getComputedStyle(heading);
    const range = document.createRange();
    range.selectNodeContents(heading);
    const lines = [...range.getClientRects()].filter((rect) => rect.width > 0);
    const centre = (selector) => {
        const element = root.querySelector(selector);
        if (!element) return null;
        const rect = element.getBoundingClientRect();
        return rect.width > 0 ? rect.left + rect.width / 2 : null;
    };
    return {
        lang: root.getAttribute('lang'),
        dir: root.getAttribute('dir'),
        direction: getComputedStyle(root).direction,
        contentLeft: box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth),
        contentRight: box.right - parseFloat(style.paddingRight) - parseFloat(style.borderRightWidth),
        textLeft: Math.min(...lines.map((rect) => rect.left)),
        textRight: Math.max(...lines.map((rect) => rect.right)),
        lineCount: new Set(lines.map((rect) => Math.round(rect.top))).size,
        progress: centre('.idcheck-bar .idcheck-progress'),
        language: centre('.idcheck-bar .idcheck-lang'),
    };
})()"#;

impl Inspector<'_> {
    fn problem(&self, screen: &str, what: String) {
        eprintln!("[{}-{screen}] {what}", self.language.tag);
        self.problems
            .borrow_mut()
            .push(format!("{}-{screen}: {what}", self.language.tag));
    }

    /// Checks the screen as it is now: no English, the root's language and direction, the mirroring.
    async fn inspect(&self, screen: &str) {
        let shown = self.browser.js(SHOWN_TEXT).await;
        let shown = shown.as_str().unwrap_or_default();
        for (key, leak) in &self.language.forbidden {
            if leak.found_in(shown) {
                self.problem(
                    screen,
                    format!("English left: `{key}` shows as {}", leak.describe()),
                );
            }
        }

        let layout = self.browser.js(LAYOUT).await;
        let (tag, dir) = (
            self.language.tag,
            if self.language.rtl { "rtl" } else { "ltr" },
        );
        for (what, expected) in [("lang", tag), ("dir", dir), ("direction", dir)] {
            if layout[what] != expected {
                self.problem(
                    screen,
                    format!(
                        "`.idcheck` {what} is {}, expected {expected:?}",
                        layout[what]
                    ),
                );
            }
        }
        let number = |name: &str| layout[name].as_f64();
        let (Some(left), Some(right), Some(text_left), Some(text_right)) = (
            number("contentLeft"),
            number("contentRight"),
            number("textLeft"),
            number("textRight"),
        ) else {
            self.problem(
                screen,
                format!("the heading's text cannot be measured: {layout}"),
            );
            return;
        };
        // The heading's text starts at the inline start: the right in Arabic, the left otherwise.
        let (start_gap, end_gap) = if self.language.rtl {
            (right - text_right, text_left - left)
        } else {
            (text_left - left, right - text_right)
        };
        let one_line = layout["lineCount"].as_u64() == Some(1);
        if start_gap.abs() > 2.0 || (one_line && end_gap < 8.0) {
            self.problem(
                screen,
                format!(
                    "the heading's text is not at the {} (text {text_left:.0}–{text_right:.0} in {left:.0}–{right:.0})",
                    if self.language.rtl { "right" } else { "left" }
                ),
            );
        }
        // The bar: progress at the inline start, the language switch at the inline end.
        if let (Some(progress), Some(language)) = (number("progress"), number("language"))
            && (progress > language) != self.language.rtl
        {
            self.problem(
                screen,
                format!(
                    "the bar is not mirrored as expected: progress at x={progress:.0}, language switch at x={language:.0}"
                ),
            );
        }
    }

    /// Waits for the step whose heading is `heading_key`'s text (and, if given, for the primary
    /// button to read `button_key`'s), saves its screenshot as `TAG-SCREEN.png` and inspects it.
    async fn step(&self, heading_key: &str, button_key: Option<&str>, screen: &str) {
        self.browser
            .wait_for_text("h1", self.language.t(heading_key))
            .await;
        if let Some(button) = button_key {
            self.browser
                .wait_for_text(PRIMARY, self.language.t(button))
                .await;
        }
        self.look(screen).await;
    }

    /// Lets the screen settle (the camera's first frames, the layout), saves its screenshot and
    /// inspects it.
    async fn look(&self, screen: &str) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.browser
            .screenshot(&format!("{}-{screen}", self.language.tag))
            .await;
        self.inspect(screen).await;
    }

    /// Presses the primary button once it reads `key`'s text.
    async fn press(&self, key: &str) {
        self.browser.press(self.language.t(key)).await;
    }

    /// A camera step: look at it, take the photo, look at the photo, use it.
    async fn capture(&self, heading_key: &str, screen: &str) {
        self.step(heading_key, Some("capture_take"), screen).await;
        self.press("capture_take").await;
        self.browser
            .wait_for_text(PRIMARY, self.language.t("capture_use"))
            .await;
        self.look(&format!("{screen}-review")).await;
        self.press("capture_use").await;
    }
}

/// The whole passport flow in `language`, then the records checked through the API.
async fn passport_check_in(tag: &'static str, rtl: bool, issued_by: &str) {
    let started = Instant::now();
    let language = Language::load(tag, rtl);
    assert!(
        !language.forbidden.is_empty(),
        "locales/{tag}.json is all English"
    );
    let server = ApiServer::start(&[]).await;
    let camera =
        Card::new(1280, 720).write_y4m(&scratch(&format!("languages-{tag}")).join("card.y4m"));
    let browser = Browser::start(PHONE, Some(&camera)).await;
    let url = server
        .page(&format!(
            "&lang={tag}&uploads=server&image-max=800&poll-seconds=1"
        ))
        .await;
    let inspector = Inspector {
        browser: &browser,
        language: &language,
        problems: RefCell::new(Vec::new()),
    };

    browser.client.goto(&url).await.expect("the page opens");
    inspector
        .step("welcome_title", Some("continue"), "welcome")
        .await;
    // Continuing without agreeing says why, in the language too.
    browser.click(PRIMARY).await;
    browser
        .wait_for_text("[role=alert]", language.t("welcome_consent_needed"))
        .await;
    inspector.look("welcome-consent-needed").await;
    browser.click("input[name=consent]").await;
    inspector.press("continue").await;

    inspector
        .step("purpose_title", Some("continue"), "purpose")
        .await;
    browser
        .click("input[name=purpose][value=\"identity\"]")
        .await;
    inspector.press("continue").await;

    inspector
        .step("document_title_identity", Some("continue"), "document")
        .await;
    browser.click("input[name=document][value=\"1\"]").await;
    inspector.press("continue").await;

    inspector
        .step("details_title", Some("continue"), "details")
        .await;
    let number = format!("{}1234567", tag.to_uppercase());
    browser
        .type_into("input[name=IdentityDocumentNumber]", &number)
        .await;
    browser
        .type_into("input[name=IdentityDocumentIssuedBy]", issued_by)
        .await;
    browser
        .set_date("input[name=IdentityDocumentExpirationDate]", "2031-03-15")
        .await;
    inspector.look("details-filled").await;
    inspector.press("continue").await;

    inspector.capture("capture_photo_title", "photo").await;
    inspector.capture("capture_front_title", "front").await;

    inspector
        .step("review_title", Some("review_submit"), "review")
        .await;
    inspector.press("review_submit").await;

    inspector
        .step("submitted_title", None, "submitted-sent")
        .await;
    browser
        .wait_for_text(".idcheck-status strong", language.t("status_submitted"))
        .await;
    inspector.look("submitted").await;
    let shown_ids = browser
        .find(".idcheck-records")
        .await
        .text()
        .await
        .expect("the record ids");
    let problems = inspector.problems.into_inner();
    browser.close().await;

    // Exactly one check and one document, as the member entered them.
    let checks = server
        .get_json("/api/spaces/coworkeridentitychecks?CoworkerIdentityCheck_Coworker=1&size=100")
        .await;
    let checks = checks["Records"].as_array().expect("a list of checks");
    assert_eq!(checks.len(), 1, "the member's checks: {checks:?}");
    let check_id = checks[0]["Id"].as_i64().expect("the check's id");
    let check = server
        .get_json(&format!("/api/spaces/coworkeridentitychecks/{check_id}"))
        .await;
    for (field, expected) in [
        ("VerificationType", Value::from(1)),
        ("IdentityDocumentType", Value::from(1)),
        ("IdentityDocumentNumber", Value::from(number.as_str())),
        ("IdentityDocumentIssuedBy", Value::from(issued_by)),
        ("VerificationStatus", Value::from(2)),
    ] {
        assert_eq!(check[field], expected, "check field {field}: {check}");
    }
    assert!(
        check["IdentityDocumentExpirationDate"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2031-03-15"),
        "{check}"
    );
    let documents = server
        .get_json(
            "/api/spaces/coworkeridentitycheckdocuments?CoworkerIdentityCheckDocument_Coworker=1&size=100",
        )
        .await;
    let documents = documents["Records"]
        .as_array()
        .expect("a list of documents");
    assert_eq!(documents.len(), 1, "the member's documents: {documents:?}");
    let document_id = documents[0]["Id"].as_i64().expect("the document's id");
    let document = server
        .get_json(&format!(
            "/api/spaces/coworkeridentitycheckdocuments/{document_id}"
        ))
        .await;
    assert_eq!(document["CoworkerIdentityCheckId"], check_id, "{document}");
    assert!(document["PhotoFileName"].is_string(), "{document}");
    assert!(document["DocumentFileName"].is_string(), "{document}");
    assert!(
        !document["AdditionalDocumentFileName"].is_string(),
        "{document}"
    );
    for id in [check_id, document_id] {
        assert!(
            shown_ids.contains(&id.to_string()),
            "the thank-you screen shows {shown_ids:?}, not the record {id}"
        );
    }

    assert!(
        problems.is_empty(),
        "{} problem(s) in {tag}:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let took = started.elapsed();
    eprintln!("the {tag} passport check took {took:?}");
    assert!(took < TEST_BUDGET, "the {tag} check took {took:?}");
}

#[tokio::test]
async fn a_passport_check_completes_in_arabic() {
    passport_check_in("ar", true, "المملكة المغربية").await;
}

#[tokio::test]
async fn a_passport_check_completes_in_japanese() {
    passport_check_in("ja", false, "日本国外務省").await;
}

#[test]
fn leaks_are_recognised_whole_as_fragments_and_filled() {
    assert!(contains_words("زر Back هنا", "Back"));
    assert!(!contains_words("Feedback", "Back"));
    assert!(
        Leak::Template(vec!["Step ".into(), " of ".into(), String::new()])
            .found_in("x Step 3 of 8")
    );
    assert!(
        !Leak::Template(vec!["Step ".into(), " of ".into(), String::new()])
            .found_in("Step 3\nof 8")
    );
    assert!(
        Leak::Template(vec![String::new(), " seconds left".into()]).found_in("12 seconds left")
    );
    assert_eq!(
        literals("Check {{check}}, document {{document}}"),
        ["Check ", ", document ", ""]
    );
    let english = BTreeMap::from([
        ("a_one".to_string(), String::new()),
        ("a_other".to_string(), String::new()),
    ]);
    assert_eq!(plural_base("a_one", &english), Some("a"));
    assert_eq!(plural_base("b_one", &english), None);
}
