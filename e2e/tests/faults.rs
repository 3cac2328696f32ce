//! The fault matrix, between the browser and the gateway: every request of a passport submission is
//! failed, lost, left unanswered or throttled by the tests' own proxy (`idcheck_e2e::proxy`), and
//! the member must still reach the thank-you screen pressing "Try again" at most twice, leaving
//! exactly one check and one document with every image. Then the same guarantees for a reload in
//! the middle of submitting, new images after a reviewer's refusal, and MasStack's create.
//!
//! The double's own faults act between the gateway and Nexudus; these act where a phone's network
//! fails, so they test the component's retries and look-ups and the gateway's `Idempotency-Key`
//! replays together.
//!
//! One server, one proxy and one browser serve every case of a test, because starting them is most
//! of a short case's time. A case opens a fresh tab (the component keeps its progress in the tab's
//! session storage) and counts only the records created after it started, by id. A case that fails
//! does not stop the others: the test reports every failed case at the end.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use idcheck_e2e::member::*;
use idcheck_e2e::proxy::{Fault, FaultKind, Proxy};
use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, PHONE, scratch};
use serde_json::{Value, json};

const CHECKS: &str = "/api/spaces/coworkeridentitychecks";
const DOCUMENTS: &str = "/api/spaces/coworkeridentitycheckdocuments";
const UPLOADS: &str = "/api/uploads";
const MAS_CREATE: &str = "/v1/orgs/masmovil/identifications/identity_document";

/// A 3 s deadline per request (6 s for uploads) keeps the unanswered cases short; the status is
/// polled every second so that a reviewer's decision shows at once.
const PASSPORT_SETTINGS: &str =
    "&verify=identity&uploads=server&image-max=640&request-timeout=3&poll-seconds=1";
const MAS_SETTINGS: &str =
    "&provider=masstack&masstack-org=masmovil&request-timeout=3&poll-seconds=1";

const KINDS: [FaultKind; 4] = [
    FaultKind::Error500,
    FaultKind::DropAfterCommit,
    FaultKind::NoAnswer,
    FaultKind::Throttled,
];

const RETRY: &str = "Try again";
/// The most presses of "Try again" a member may need.
const MAX_RETRIES: u32 = 2;
/// From the press that sends to the screen that says it was sent, retries included.
const FINISH_LIMIT: Duration = Duration::from_secs(45);
/// A whole case, walk to the review step included; a case that takes longer has hung.
const CASE_LIMIT: Duration = Duration::from_secs(90);

fn fault(method: &'static str, path: &'static str, nth: u32, kind: FaultKind) -> Fault {
    Fault {
        method,
        path,
        nth,
        kind,
    }
}

/// What one case does.
enum Case {
    /// A passport submission with `faults` armed at the review step; `target` must fire (and, for a
    /// look-up, catch the look-up itself, which carries a query).
    Passport {
        name: String,
        faults: Vec<Fault>,
        target: Fault,
    },
    /// The page is reloaded while the document's create hangs unanswered.
    Reload,
    /// After a reviewer's refusal the member sends new images, and the new document's create
    /// meets the fault.
    NewImages(FaultKind),
    /// MasStack's create meets the fault.
    MasStack(FaultKind),
}

impl Case {
    fn name(&self) -> String {
        match self {
            Case::Passport { name, .. } => name.clone(),
            Case::Reload => "reload while the document is being created".into(),
            Case::NewImages(kind) => {
                format!("new images after a refusal, document create {kind:?}")
            }
            Case::MasStack(kind) => format!("MasStack create {kind:?}"),
        }
    }

    /// Runs the case and returns the buttons the member pressed to recover.
    async fn run(self, bench: Rc<Bench>) -> Vec<String> {
        let name = self.name();
        bench.new_case().await;
        match self {
            Case::Passport { faults, target, .. } => {
                passport_case(&bench, &name, &faults, target).await
            }
            Case::Reload => reload_case(&bench, &name).await,
            Case::NewImages(kind) => new_images_case(&bench, &name, kind).await,
            Case::MasStack(kind) => masstack_case(&bench, &name, kind).await,
        }
    }
}

/// The matrix: each request of a passport submission × each fault kind.
fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    for kind in KINDS {
        let direct = [
            ("create check", fault("POST", CHECKS, 1, kind)),
            ("upload face photo", fault("POST", UPLOADS, 1, kind)),
            ("upload front", fault("POST", UPLOADS, 2, kind)),
            ("create document", fault("POST", DOCUMENTS, 1, kind)),
        ];
        for (request, target) in direct {
            cases.push(Case::Passport {
                name: format!("{request} {kind:?}"),
                faults: vec![target],
                target,
            });
        }
        // A look-up is made only after a lost answer: the create's answer is lost first.
        let lookups = [("check look-up", CHECKS), ("document look-up", DOCUMENTS)];
        for (request, path) in lookups {
            let target = fault("GET", path, 1, kind);
            cases.push(Case::Passport {
                name: format!("{request} {kind:?}"),
                faults: lost_create(path).into_iter().chain([target]).collect(),
                target,
            });
        }
    }
    cases
}

/// Faults that lose the answer of the create at `path` for the component. Chromium itself sends a
/// request again, on another kept-alive connection, whenever a reused one closes before any answer
/// byte (the gateway then replays the first answer): only a send on a new connection reaches the
/// page as a failure. Chromium keeps at most 6 connections to a host, so 7 drops are sure to lose
/// it; those that do not fire are disarmed with the case.
fn lost_create(path: &'static str) -> Vec<Fault> {
    (1..=7)
        .map(|nth| fault("POST", path, nth, FaultKind::DropAfterCommit))
        .collect()
}

/// The server, the proxy in front of its gateway, and the browser every case of a test shares.
struct Bench {
    server: ApiServer,
    proxy: Proxy,
    browser: Browser,
    /// The proxy's request counts when the case started, to report the case's own requests.
    counts_at_start: RefCell<BTreeMap<String, u64>>,
}

impl Bench {
    async fn start() -> Bench {
        let server = ApiServer::start(&["--fault-injection"]).await;
        let proxy = Proxy::start(&server.url).await;
        let browser = Browser::start(PHONE, None).await;
        Bench {
            server,
            proxy,
            browser,
            counts_at_start: RefCell::default(),
        }
    }

    /// The API requests the browser made since the case started, by `METHOD /path`.
    fn case_requests(&self) -> BTreeMap<String, u64> {
        let before = self.counts_at_start.borrow();
        self.proxy
            .counts()
            .into_iter()
            .filter(|(route, _)| route.contains(" /api/") || route.contains(" /v1/"))
            .filter_map(|(route, count)| {
                let count = count - before.get(&route).copied().unwrap_or(0);
                (count > 0).then_some((route, count))
            })
            .collect()
    }

    /// The faults that fired in this case, as `Kind METHOD /target`.
    fn fired(&self) -> Vec<String> {
        self.proxy
            .fired()
            .into_iter()
            .map(|fired| format!("{:?} {}", fired.fault.kind, fired.request))
            .collect()
    }

    /// No fault armed, no connection held, and a fresh tab: the previous case's session storage
    /// (where the component keeps its progress) must not carry over.
    async fn new_case(&self) {
        self.proxy.reset();
        *self.counts_at_start.borrow_mut() = self.proxy.counts();
        let client = &self.browser.client;
        let old = client.windows().await.expect("the tabs");
        let tab = client.new_window(true).await.expect("a new tab").handle;
        for handle in old {
            client.switch_to_window(handle).await.expect("an old tab");
            client.close_window().await.expect("the old tab closes");
        }
        client
            .switch_to_window(tab)
            .await
            .expect("the new tab is current");
    }

    /// The newest check's id (0 when there is none): records with a greater id are this case's.
    async fn newest_check(&self) -> i64 {
        let list = self
            .server
            .get_json(&format!("{CHECKS}?orderBy=Id&dir=Descending&size=1"))
            .await;
        list["Records"][0]["Id"].as_i64().unwrap_or(0)
    }

    /// The ids of the demo member's checks newer than `since`.
    async fn checks_since(&self, since: i64) -> Vec<i64> {
        let list = self
            .server
            .get_json(&format!(
                "{CHECKS}?CoworkerIdentityCheck_Coworker=1&orderBy=Id&dir=Descending&size=100"
            ))
            .await;
        ids(&list).into_iter().filter(|id| *id > since).collect()
    }

    async fn documents_of(&self, check: i64) -> Vec<i64> {
        let list = self
            .server
            .get_json(&format!(
                "{DOCUMENTS}?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={check}&size=100"
            ))
            .await;
        ids(&list)
    }

    /// Fails the case unless exactly `check` was made since `since`, `document` is its only
    /// document newer than `old_document`, and it carries the face photo and the front.
    async fn assert_records(
        &self,
        case: &str,
        since: i64,
        (check, document): (i64, i64),
        old_document: i64,
    ) {
        let checks = self.checks_since(since).await;
        assert_eq!(
            checks,
            [check],
            "{case}: exactly one check made by the case"
        );
        let documents: Vec<i64> = self
            .documents_of(check)
            .await
            .into_iter()
            .filter(|id| *id > old_document)
            .collect();
        assert_eq!(
            documents,
            [document],
            "{case}: exactly one new document on check {check}"
        );
        let stored = self
            .server
            .get_json(&format!("{DOCUMENTS}/{document}"))
            .await;
        for (field, route) in [("PhotoFileName", "photo"), ("DocumentFileName", "document")] {
            assert!(
                stored[field].as_str().is_some_and(|name| !name.is_empty()),
                "{case}: the document has no {field}: {stored}"
            );
            let bytes = self
                .server
                .get_bytes(&format!("{DOCUMENTS}/{document}/files/{route}"))
                .await;
            assert!(
                idcheck_e2e::pictures::jpeg_size(&bytes).is_some(),
                "{case}: the stored {route} is not a JPEG"
            );
        }
        let stored = self.server.get_json(&format!("{CHECKS}/{check}")).await;
        assert_eq!(
            stored["VerificationStatus"], 2,
            "{case}: a complete document makes the check Submitted: {stored}"
        );
    }

    /// Fails the case unless `target` fired: a fault that never met its request would make the
    /// case pass without testing anything.
    fn assert_fired(&self, case: &str, target: Fault) {
        let fired = self.proxy.fired();
        let hit = fired.iter().find(|fired| fired.fault == target);
        let Some(hit) = hit else {
            panic!(
                "{case}: the fault never met its request ({target:?}); fired: {:?}; requests: {:?}",
                self.fired(),
                self.case_requests()
            );
        };
        if target.method == "GET" {
            assert!(
                hit.request.contains('?'),
                "{case}: the fault caught {} instead of a look-up",
                hit.request
            );
        }
    }
}

fn ids(list: &Value) -> Vec<i64> {
    list["Records"]
        .as_array()
        .map(|records| records.iter().filter_map(|r| r["Id"].as_i64()).collect())
        .unwrap_or_default()
}

/// A passport check from the page's opening to its review step, without the screenshots of the
/// other tests (dozens of cases take the same steps).
async fn to_review(browser: &Browser, url: &str) {
    browser.client.goto(url).await.expect("the page opens");
    browser.click("input[name=consent]").await;
    browser.press("Continue").await;
    browser.wait_for_text("h1", IDENTITY_DOCUMENT).await;
    browser.click("input[name=document][value=\"1\"]").await;
    browser.press("Continue").await;
    browser.wait_for_text("h1", DETAILS).await;
    browser
        .type_into("input[name=IdentityDocumentNumber]", "X1234567")
        .await;
    browser
        .type_into(
            "input[name=IdentityDocumentIssuedBy]",
            "Ministerio del Interior",
        )
        .await;
    browser
        .set_date("input[name=IdentityDocumentExpirationDate]", "2032-06-30")
        .await;
    browser.press("Continue").await;
    for heading in [PHOTO, FRONT] {
        browser.wait_for_text("h1", heading).await;
        take_photo(browser).await;
    }
    browser.wait_for_text("h1", REVIEW).await;
}

async fn take_photo(browser: &Browser) {
    browser.press("Take photo").await;
    browser.press("Use this photo").await;
}

/// What the page shows: its heading, and its main buttons as (text, enabled).
async fn screen(browser: &Browser) -> (String, Vec<(String, bool)>) {
    let seen = browser
        .js("(() => { const h = document.querySelector('h1'); \
             return [h ? h.innerText.trim() : '', \
                     [...document.querySelectorAll('.idcheck-primary')] \
                       .map(b => [b.innerText.trim(), !b.disabled])]; })()")
        .await;
    let heading = seen[0].as_str().unwrap_or_default().to_string();
    let buttons = seen[1]
        .as_array()
        .map(|buttons| {
            buttons
                .iter()
                .map(|b| {
                    (
                        b[0].as_str().unwrap_or_default().to_string(),
                        b[1].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (heading, buttons)
}

/// Waits for the heading `done` after a submission was started, pressing a button whose label is
/// in `allowed` whenever one is offered, each label at most its number of times. Returns the
/// presses made.
async fn finish(bench: &Bench, case: &str, done: &str, allowed: &[(&str, u32)]) -> Vec<String> {
    let browser = &bench.browser;
    let started = Instant::now();
    let mut pressed: Vec<String> = Vec::new();
    let mut last = (String::new(), Vec::new());
    // Bounded by FINISH_LIMIT; each turn waits at least 250 ms.
    for _ in 0..10_000 {
        if started.elapsed() > FINISH_LIMIT {
            break;
        }
        last = screen(browser).await;
        if last.0 == done {
            return pressed;
        }
        let offered = last
            .1
            .iter()
            .enumerate()
            .find_map(|(index, (text, enabled))| {
                let allowed = allowed.iter().find(|(label, _)| label == text)?;
                enabled.then_some((index, allowed))
            });
        if let Some((index, (label, most))) = offered {
            let times = pressed.iter().filter(|p| p == label).count() as u32;
            if times >= *most {
                browser.screenshot(&screenshot_name(case)).await;
                panic!(
                    "{case}: {label:?} is offered again after {times} presses (at most {most}); \
                     the page says: {:?}; requests: {:?}",
                    browser.alerts().await,
                    bench.case_requests()
                );
            }
            let buttons = browser
                .client
                .find_all(Locator::Css(".idcheck-primary"))
                .await
                .expect("the buttons");
            if let Some(button) = buttons.get(index)
                && button.click().await.is_ok()
            {
                pressed.push(label.to_string());
            }
            // Give the press time to show before the screen is read again.
            tokio::time::sleep(Duration::from_millis(1000)).await;
            continue;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    browser.screenshot(&screenshot_name(case)).await;
    panic!(
        "{case}: not on {done:?} within {FINISH_LIMIT:?} after {pressed:?}: the page shows {:?} with \
         buttons {:?} and says {:?}; fired: {:?}; requests: {:?}",
        last.0,
        last.1,
        browser.alerts().await,
        bench.fired(),
        bench.case_requests()
    );
}

fn screenshot_name(case: &str) -> String {
    let slug: String = case
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("faults-{slug}")
}

async fn passport_case(bench: &Bench, case: &str, faults: &[Fault], target: Fault) -> Vec<String> {
    let since = bench.newest_check().await;
    let url = bench
        .server
        .page_at(&bench.proxy.url, PASSPORT_SETTINGS)
        .await;
    to_review(&bench.browser, &url).await;
    for fault in faults {
        bench.proxy.arm(*fault);
    }
    bench.browser.press("Send for review").await;
    let pressed = finish(bench, case, SUBMITTED, &[(RETRY, MAX_RETRIES)]).await;
    let shown = bench.browser.record_ids().await;
    bench.assert_fired(case, target);
    bench.assert_records(case, since, shown, 0).await;
    pressed
}

async fn reload_case(bench: &Bench, case: &str) -> Vec<String> {
    let since = bench.newest_check().await;
    let url = bench
        .server
        .page_at(&bench.proxy.url, PASSPORT_SETTINGS)
        .await;
    to_review(&bench.browser, &url).await;
    let target = fault("POST", DOCUMENTS, 1, FaultKind::NoAnswer);
    bench.proxy.arm(target);
    bench.browser.press("Send for review").await;
    // Reload only once the document exists: its create was carried out, its answer never came.
    let mut created = false;
    for _ in 0..120 {
        if let Some(check) = bench.checks_since(since).await.first()
            && !bench.documents_of(*check).await.is_empty()
        {
            created = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        created,
        "{case}: the document's create never reached the API; requests: {:?}",
        bench.case_requests()
    );
    bench
        .browser
        .client
        .refresh()
        .await
        .expect("the page reloads");
    // A page that forgot everything shows its welcome; give a restore a few seconds to land first.
    let mut heading = String::new();
    for _ in 0..20 {
        heading = screen(&bench.browser).await.0;
        if !heading.is_empty() && heading != WELCOME {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if heading == WELCOME || heading.is_empty() {
        bench.browser.screenshot(&screenshot_name(case)).await;
        panic!(
            "{case}: after the reload the page shows {heading:?}: the submission was not restored"
        );
    }
    // Back at the review step (or told what to do): sending again is one press, and a retry or two.
    let pressed = finish(
        bench,
        case,
        SUBMITTED,
        &[("Send for review", 1), (RETRY, MAX_RETRIES)],
    )
    .await;
    let shown = bench.browser.record_ids().await;
    bench.assert_fired(case, target);
    bench.assert_records(case, since, shown, 0).await;
    pressed
}

async fn new_images_case(bench: &Bench, case: &str, kind: FaultKind) -> Vec<String> {
    let since = bench.newest_check().await;
    let url = bench
        .server
        .page_at(&bench.proxy.url, PASSPORT_SETTINGS)
        .await;
    let browser = &bench.browser;
    to_review(browser, &url).await;
    browser.press("Send for review").await;
    let (check, first_document) = browser.submit_finished(&screenshot_name(case)).await;

    let mut refused = bench.server.get_json(&format!("{CHECKS}/{check}")).await;
    refused["VerificationStatus"] = json!(4);
    refused["LastError"] = json!("The photo of the front is blurred.");
    bench.server.put_json(CHECKS, &refused).await;
    browser
        .wait_for_text(".idcheck-failure .idcheck-primary", "Send new images")
        .await;
    browser.click(".idcheck-failure .idcheck-primary").await;
    browser.wait_for_text("h1", PHOTO).await;
    take_photo(browser).await;
    // The fake camera's frames are the refused ones byte for byte, and the very same images are
    // not sent again: the new front is a different picture, uploaded.
    browser.wait_for_text("h1", FRONT).await;
    let new_front = Card::on_desk(1280, 720, 820.0, 660.0, 370.0)
        .write_png(&scratch("faults").join(format!("{}-front.png", screenshot_name(case))));
    browser.upload(&new_front).await;
    browser.press("Use this photo").await;
    browser.wait_for_text("h1", REVIEW).await;
    let target = fault("POST", DOCUMENTS, 1, kind);
    bench.proxy.arm(target);
    browser.press("Send for review").await;
    let pressed = finish(bench, case, SUBMITTED, &[(RETRY, MAX_RETRIES)]).await;
    let shown = browser.record_ids().await;
    assert_eq!(shown.0, check, "{case}: new images go to the same check");
    bench.assert_fired(case, target);
    bench
        .assert_records(case, since, shown, first_document)
        .await;
    assert!(
        bench.documents_of(check).await.contains(&first_document),
        "{case}: the first document stays"
    );
    pressed
}

async fn masstack_case(bench: &Bench, case: &str, kind: FaultKind) -> Vec<String> {
    let browser = &bench.browser;
    let url = bench.server.page_at(&bench.proxy.url, MAS_SETTINGS).await;
    browser.client.goto(&url).await.expect("the page opens");
    browser
        .wait_for_text("h1", "Verify your identity document")
        .await;
    browser.click("input[name=consent]").await;
    browser.press("Continue").await;
    browser.wait_for_text("h1", "Your identity document").await;
    browser.type_into("input[name=name]", "Lucía").await;
    browser
        .type_into("input[name=last_name]", "García Pérez")
        .await;
    browser.click("input[name=document_type][value=NIE]").await;
    browser
        .type_into(
            "input[name=\"identity_document.document_number\"]",
            "X1234567L",
        )
        .await;
    browser
        .type_into("input[name=\"identity_document.country\"]", "ES")
        .await;
    let route = format!("POST {MAS_CREATE}");
    let before = bench.server.request_count(&route).await;
    let target = fault("POST", MAS_CREATE, 1, kind);
    bench.proxy.arm(target);
    browser.press("Start identification").await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    // The form's own button sends again until a "Try again" exists; either counts as a retry.
    let pressed = finish(
        bench,
        case,
        "Your identification has started",
        &[(RETRY, MAX_RETRIES), ("Start identification", MAX_RETRIES)],
    )
    .await;
    assert!(
        pressed.len() as u32 <= MAX_RETRIES,
        "{case}: {pressed:?} is more than {MAX_RETRIES} retries"
    );
    bench.assert_fired(case, target);
    let created = bench.server.request_count(&route).await - before;
    assert_eq!(created, 1, "{case}: exactly one identification was created");
    let text = browser
        .find(".idcheck-records")
        .await
        .text()
        .await
        .expect("the id");
    let id = text.rsplit(' ').next().unwrap_or_default();
    let stored = bench.server.get_json(&format!("{MAS_CREATE}/{id}")).await;
    assert_eq!(stored["identity_document"]["document_number"], "X1234567L");
    pressed
}

fn panic_message(err: tokio::task::JoinError) -> String {
    if !err.is_panic() {
        return err.to_string();
    }
    let payload = err.into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs every case on one bench, each in its own task so that one failing case does not hide the
/// others, and fails with the list of cases that failed.
async fn run(cases: Vec<Case>) {
    // `FAULT_CASES=look-up,reload` runs only the cases whose names contain one of the words, to
    // look at a few without the whole matrix.
    let only = std::env::var("FAULT_CASES").unwrap_or_default();
    let cases: Vec<Case> = cases
        .into_iter()
        .filter(|case| only.is_empty() || only.split(',').any(|word| case.name().contains(word)))
        .collect();
    if cases.is_empty() {
        return;
    }
    let bench = Rc::new(Bench::start().await);
    let total = cases.len();
    let started = Instant::now();
    let local = tokio::task::LocalSet::new();
    let failures = local
        .run_until(async {
            let mut failures = Vec::new();
            for case in cases {
                let name = case.name();
                let case_started = Instant::now();
                let task = tokio::task::spawn_local(case.run(Rc::clone(&bench)));
                let abort = task.abort_handle();
                let outcome = match tokio::time::timeout(CASE_LIMIT, task).await {
                    Ok(Ok(pressed)) => {
                        eprintln!(
                            "ok     {name} ({:.1} s): pressed {pressed:?}, fired {:?}",
                            case_started.elapsed().as_secs_f32(),
                            bench.fired()
                        );
                        continue;
                    }
                    Ok(Err(err)) => panic_message(err),
                    Err(_) => {
                        abort.abort();
                        format!("did not end within {CASE_LIMIT:?}")
                    }
                };
                eprintln!(
                    "FAILED {name} ({:.1} s): {outcome}",
                    case_started.elapsed().as_secs_f32()
                );
                failures.push(format!("{name}: {outcome}"));
            }
            failures
        })
        .await;
    eprintln!(
        "{} of {total} cases passed in {:.0} s",
        total - failures.len(),
        started.elapsed().as_secs_f32()
    );
    // The set may still own an aborted case, and with it a reference to the bench.
    drop(local);
    bench.proxy.reset();
    if let Ok(bench) = Rc::try_unwrap(bench) {
        bench.browser.close().await;
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_of_a_passport_submission_survives_every_fault() {
    run(matrix()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_new_images_and_masstack_survive_faults() {
    run(vec![
        Case::Reload,
        Case::NewImages(FaultKind::DropAfterCommit),
        Case::NewImages(FaultKind::Error500),
        Case::MasStack(FaultKind::DropAfterCommit),
        Case::MasStack(FaultKind::Error500),
    ])
    .await;
}
