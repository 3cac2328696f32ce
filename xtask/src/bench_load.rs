//! The page-load figures of `cargo xtask bench` (issue 14), on the standalone page served by the
//! gateway as `cargo xtask dev` serves it:
//!
//! - the first load: every file the page fetched before the welcome step was usable (the page
//!   included), raw, gzip and brotli, and the bytes that crossed the network for them;
//! - the later parts: every other wasm module, with those the page prefetched on its own within
//!   5 s of the welcome step;
//! - the welcome step's time to usable (the component's `idcheck-usable` performance mark) in
//!   headless Chromium with the CPU slowed 4×, on loopback and on a mobile network, median of 7
//!   loads, each a first visit (a browser context of its own, the cache disabled).
//!
//! Only the first load's gzip bytes are judged (`verdict`): times are printed against their goals
//! but never fail the bench, the machine being shared.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cdp::{Chromium, Tab};
use crate::cmd::TempDir;
use crate::{compress, dev};

/// The most the first load may weigh, gzip: what a phone on a slow mobile network fetches in well
/// under a second, so the welcome step is up before the member wonders.
pub const FIRST_LOAD_BUDGET_GZIP: usize = 120_000;
/// Loads per profile; the median of an odd count is one of them.
const LOADS: usize = 7;
/// A mid-range phone's CPU, as Lighthouse models it.
const CPU_SLOWDOWN: u32 = 4;
/// The performance mark the component sets once the first step is mounted with its handlers.
const MARK: &str = "idcheck-usable";
/// How long a load may take to reach the mark before the bench gives up on it.
const USABLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the page is asked whether it has reached the mark.
const POLL: Duration = Duration::from_millis(50);
/// How long after the mark what the page fetches by itself counts as prefetched.
const PREFETCH_WINDOW: Duration = Duration::from_secs(5);

/// How a load is run, beyond the slowed CPU.
struct Profile {
    name: &'static str,
    /// The time to usable aimed at, median.
    goal_ms: f64,
    /// `Network.emulateNetworkConditions`'s parameters, or none for loopback as it is.
    network: Option<Value>,
}

fn loopback() -> Profile {
    Profile {
        name: "loopback",
        goal_ms: 400.0,
        network: None,
    }
}

/// A phone on a poor mobile network: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up.
fn mobile() -> Profile {
    Profile {
        name: "mobile",
        goal_ms: 1_500.0,
        network: Some(json!({
            "offline": false,
            "latency": 150,
            "downloadThroughput": 200_000,
            "uploadThroughput": 93_750,
        })),
    }
}

/// A file of `dist/` and its weight.
struct Asset {
    file: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

impl Asset {
    fn read(dist: &Path, file: &str) -> Result<Asset, String> {
        let bytes = std::fs::read(dist.join(file))
            .map_err(|err| format!("cannot read {file} in {}: {err}", dist.display()))?;
        Ok(Asset {
            file: file.to_string(),
            raw: bytes.len(),
            gzip: compress::gzip(&bytes).len(),
            brotli: compress::brotli(&bytes).len(),
        })
    }

    fn json(&self) -> Value {
        json!({"file": self.file, "raw": self.raw, "gzip": self.gzip, "brotli": self.brotli})
    }
}

struct Totals {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

fn totals<'a>(assets: impl IntoIterator<Item = &'a Asset>) -> Totals {
    let mut totals = Totals {
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    for asset in assets {
        totals.raw += asset.raw;
        totals.gzip += asset.gzip;
        totals.brotli += asset.brotli;
    }
    totals
}

/// The times to usable of one profile's loads, in milliseconds from navigation start.
struct Usable {
    profile: Profile,
    loads: Vec<f64>,
}

/// What `measure` found.
pub struct Figures {
    first_load: Vec<Asset>,
    /// Bytes received for the first load's requests on loopback (headers and encoded bodies).
    transferred: u64,
    /// What else the page asked for before the mark (API calls), by path.
    other_requests: Vec<String>,
    /// Each later part, and whether it was prefetched.
    parts: Vec<(Asset, bool)>,
    usable: Vec<Usable>,
}

/// Measures the page as built in `dist`, loading it in `chromium`, and prints the figures.
pub fn run(chromium: &Path, dist: &Path) -> Result<Figures, String> {
    let figures = measure(chromium, dist)?;
    figures.print();
    Ok(figures)
}

fn measure(chromium: &Path, dist: &Path) -> Result<Figures, String> {
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "no index.html in {}: did the build run?",
            dist.display()
        ));
    }
    // Declared first, so removed last: the servers write to it until they stop.
    let data = TempDir::new("idcheck-bench-data")?;
    let local = dev::start(dist, data.path(), 0)?;
    let page = local.member_page();
    let mut browser = Chromium::start(chromium)?;

    println!("bench: what the page fetches (a loopback load, then {PREFETCH_WINDOW:?} untouched)");
    // Also the servers' and the browser's warm-up, so the timed loads all start alike.
    let fetched = inspect(&mut browser, &page)?;
    let mut usable = Vec::new();
    for profile in [loopback(), mobile()] {
        println!(
            "bench: time to usable, {} ({LOADS} loads, CPU {CPU_SLOWDOWN}× slower)",
            profile.name
        );
        let mut loads = Vec::with_capacity(LOADS);
        for _ in 0..LOADS {
            let tab = open(&mut browser, &page, &profile)?;
            loads.push(usable_ms(&mut browser, &tab)?);
            browser.close_tab(tab)?;
        }
        usable.push(Usable { profile, loads });
    }
    drop(browser);
    drop(local);

    let is_file = |file: &str| dist.join(file).is_file();
    let split = split_by_mark(&fetched, is_file);
    let first_load = split
        .first_load
        .iter()
        .map(|file| Asset::read(dist, file))
        .collect::<Result<Vec<_>, _>>()?;
    let transferred = split
        .first_load
        .iter()
        .filter_map(|file| fetched.transferred.get(file))
        .sum();
    let mut parts = Vec::new();
    for file in later_parts(dist, &split.first_load)? {
        let prefetched = split.after.contains(&file);
        parts.push((Asset::read(dist, &file)?, prefetched));
    }
    Ok(Figures {
        first_load,
        transferred,
        other_requests: split.other,
        parts,
        usable,
    })
}

/// Opens a first visit of `page` in a new tab, as `profile` says.
fn open(browser: &mut Chromium, page: &str, profile: &Profile) -> Result<Tab, String> {
    let tab = new_visit(browser, profile)?;
    navigate(browser, &tab, page)?;
    Ok(tab)
}

/// A new tab set up as `profile` says, still blank.
fn new_visit(browser: &mut Chromium, profile: &Profile) -> Result<Tab, String> {
    let tab = browser.new_tab()?;
    let on_tab = Some(&tab);
    browser.call(on_tab, "Network.enable", json!({}))?;
    browser.call(
        on_tab,
        "Network.setCacheDisabled",
        json!({"cacheDisabled": true}),
    )?;
    browser.call(
        on_tab,
        "Emulation.setCPUThrottlingRate",
        json!({"rate": CPU_SLOWDOWN}),
    )?;
    if let Some(network) = &profile.network {
        browser.call(on_tab, "Network.emulateNetworkConditions", network.clone())?;
    }
    Ok(tab)
}

fn navigate(browser: &mut Chromium, tab: &Tab, page: &str) -> Result<(), String> {
    let navigated = browser.call(Some(tab), "Page.navigate", json!({"url": page}))?;
    match navigated["errorText"].as_str() {
        Some(error) => Err(format!("the page did not open: {error}")),
        None => Ok(()),
    }
}

/// Waits for the mark and returns its time from navigation start.
fn usable_ms(browser: &mut Chromium, tab: &Tab) -> Result<f64, String> {
    let expression = format!("performance.getEntriesByName('{MARK}')[0]?.startTime");
    let deadline = Instant::now() + USABLE_TIMEOUT;
    let mut failure = String::new();
    while Instant::now() < deadline {
        match browser.evaluate(tab, &expression) {
            Ok(Value::Number(ms)) => return ms.as_f64().ok_or("a mark time out of range".into()),
            Ok(_) => {}
            // While the navigation replaces about:blank, the page may have no context to
            // evaluate in: asked again a moment later.
            Err(err) => failure = format!(" (last: {err})"),
        }
        browser.idle(POLL)?;
    }
    Err(format!(
        "the welcome step never became usable: no `{MARK}` performance mark within {} s{failure}",
        USABLE_TIMEOUT.as_secs()
    ))
}

/// What one load fetched: each request's URL and start (ms from navigation start), the mark, and
/// the bytes received per file of `dist`.
struct Fetched {
    page: String,
    mark_ms: f64,
    requests: Vec<(String, f64)>,
    transferred: HashMap<String, u64>,
}

/// Loads the page once on loopback, leaves it untouched for the prefetch window, and reads what it
/// fetched.
fn inspect(browser: &mut Chromium, page: &str) -> Result<Fetched, String> {
    let tab = new_visit(browser, &loopback())?;
    // A page keeps 250 resource timings by default; the parts alone may outnumber that.
    browser.call(Some(&tab), "Page.enable", json!({}))?;
    browser.call(
        Some(&tab),
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": "performance.setResourceTimingBufferSize(100000)"}),
    )?;
    navigate(browser, &tab, page)?;
    let mark_ms = usable_ms(browser, &tab)?;
    browser.idle(PREFETCH_WINDOW)?;
    // Resource timing's start times share the mark's clock (the network events' do not).
    let entries = browser.evaluate(
        &tab,
        "performance.getEntriesByType('resource').map((e) => [e.name, e.startTime])",
    )?;
    let requests = entries
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| Some((entry[0].as_str()?.to_string(), entry[1].as_f64()?)))
        .collect();
    let events = browser.take_events(&tab);
    browser.close_tab(tab)?;
    let origin = local_origin(page);
    Ok(Fetched {
        page: page.to_string(),
        mark_ms,
        requests,
        transferred: received(&events, &origin),
    })
}

/// The bytes received (`encodedDataLength`: headers and body as sent) per file of the origin,
/// counting each file's first request only.
fn received(events: &[Value], origin: &str) -> HashMap<String, u64> {
    let mut urls = HashMap::new();
    let mut bytes = HashMap::new();
    for event in events {
        let params = &event["params"];
        let Some(id) = params["requestId"].as_str() else {
            continue;
        };
        match event["method"].as_str() {
            Some("Network.requestWillBeSent") => {
                if let Some(file) = params["request"]["url"]
                    .as_str()
                    .and_then(|url| dist_file(url, origin))
                {
                    urls.entry(id.to_string()).or_insert(file);
                }
            }
            Some("Network.loadingFinished") => {
                if let (Some(file), Some(length)) =
                    (urls.get(id), params["encodedDataLength"].as_f64())
                {
                    bytes.entry(file.clone()).or_insert(length as u64);
                }
            }
            _ => {}
        }
    }
    bytes
}

/// `scheme://host:port` of a URL.
fn local_origin(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| after_scheme + at);
    url[..end].to_string()
}

/// The file of `dist` a URL of `origin` is served from (`/` and folders: their `index.html`), or
/// `None` for another origin or a path out of `dist`. The query and fragment are not part of the
/// file.
fn dist_file(url: &str, origin: &str) -> Option<String> {
    let rest = url.strip_prefix(origin)?;
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    if !(path.is_empty() || path.starts_with('/')) {
        // Another port that starts with the same digits.
        return None;
    }
    let path = path.trim_start_matches('/');
    if path.split('/').any(|segment| segment == "..") {
        return None;
    }
    Some(if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    })
}

/// What the page fetched, told apart by the mark.
#[derive(Debug, PartialEq)]
struct Split {
    /// Files of `dist` fetched before the mark, the page first, each once, in the order fetched.
    first_load: Vec<String>,
    /// Other requests before the mark (not files of `dist`: API calls), by path.
    other: Vec<String>,
    /// Files of `dist` first fetched within the prefetch window after the mark.
    after: Vec<String>,
}

fn split_by_mark(fetched: &Fetched, is_file: impl Fn(&str) -> bool) -> Split {
    let origin = &local_origin(&fetched.page);
    let mut split = Split {
        first_load: Vec::new(),
        other: Vec::new(),
        after: Vec::new(),
    };
    let window_end = fetched.mark_ms + PREFETCH_WINDOW.as_secs_f64() * 1000.0;
    let mut requests: Vec<&(String, f64)> = fetched.requests.iter().collect();
    requests.sort_by(|a, b| a.1.total_cmp(&b.1));
    let page = (fetched.page.clone(), 0.0);
    for (url, start) in std::iter::once(&page).chain(requests) {
        let file = dist_file(url, origin).filter(|file| is_file(file));
        let list = match (&file, *start < fetched.mark_ms) {
            (Some(_), true) => &mut split.first_load,
            (Some(_), false) if *start <= window_end => &mut split.after,
            (None, true) => &mut split.other,
            _ => continue,
        };
        let name = file.unwrap_or_else(|| {
            let path = url.strip_prefix(origin).unwrap_or(url);
            path.split(['?', '#'])
                .next()
                .unwrap_or_default()
                .to_string()
        });
        if !list.contains(&name) {
            list.push(name);
        }
    }
    // A file fetched again after the mark is not a later part.
    split.after.retain(|file| !split.first_load.contains(file));
    split
}

/// The wasm modules at the top of `dist` that the first load did not fetch, by name.
fn later_parts(dist: &Path, first_load: &[String]) -> Result<Vec<String>, String> {
    let entries =
        std::fs::read_dir(dist).map_err(|err| format!("cannot read {}: {err}", dist.display()))?;
    let mut parts: Vec<String> = entries
        .flatten()
        .filter(|entry| entry.path().is_file())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.ends_with(".wasm") && !first_load.contains(name))
        .collect();
    parts.sort();
    Ok(parts)
}

/// The middle value (the mean of the two middle ones for an even count); NaN when there is none.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[middle],
        _ => (sorted[middle - 1] + sorted[middle]) / 2.0,
    }
}

/// Whether a first load of `gzip` bytes keeps to the budget, and if not by how much it misses.
fn budget_verdict(gzip: usize) -> Result<(), String> {
    if gzip <= FIRST_LOAD_BUDGET_GZIP {
        return Ok(());
    }
    Err(format!(
        "the first load is {gzip} bytes gzip, {} over its budget of {FIRST_LOAD_BUDGET_GZIP}",
        gzip - FIRST_LOAD_BUDGET_GZIP
    ))
}

impl Figures {
    /// Fails when the first load is over its budget.
    pub fn verdict(&self) -> Result<(), String> {
        budget_verdict(totals(&self.first_load).gzip)
    }

    pub fn print(&self) {
        let row = |name: &str, raw: usize, gzip: usize, brotli: usize, note: &str| {
            println!("{name:<40} {raw:>10} {gzip:>10} {brotli:>10}  {note}");
        };
        println!();
        println!("first load: what the page fetched before the welcome step was usable");
        println!(
            "{:<40} {:>10} {:>10} {:>10}",
            "file", "raw", "gzip", "brotli"
        );
        for asset in &self.first_load {
            row(&asset.file, asset.raw, asset.gzip, asset.brotli, "");
        }
        let first = totals(&self.first_load);
        let verdict = match budget_verdict(first.gzip) {
            Ok(()) => format!("(budget {FIRST_LOAD_BUDGET_GZIP} gzip: within)"),
            Err(_) => format!(
                "(budget {FIRST_LOAD_BUDGET_GZIP} gzip: OVER by {})",
                first.gzip - FIRST_LOAD_BUDGET_GZIP
            ),
        };
        row("total", first.raw, first.gzip, first.brotli, &verdict);
        println!(
            "received on loopback (headers and bodies as the gateway sent them): {} bytes",
            self.transferred
        );
        if !self.other_requests.is_empty() {
            println!("also asked before it: {}", self.other_requests.join(", "));
        }

        println!();
        println!(
            "later parts: the other wasm modules (prefetched: fetched untouched within {} s of \
             the welcome step)",
            PREFETCH_WINDOW.as_secs()
        );
        println!(
            "{:<40} {:>10} {:>10} {:>10}",
            "file", "raw", "gzip", "brotli"
        );
        for (asset, prefetched) in &self.parts {
            let note = if *prefetched { "prefetched" } else { "" };
            row(&asset.file, asset.raw, asset.gzip, asset.brotli, note);
        }
        let later = totals(self.parts.iter().map(|(asset, _)| asset));
        row("total", later.raw, later.gzip, later.brotli, "");

        println!();
        println!(
            "time to usable: the welcome step, CPU {CPU_SLOWDOWN}× slower, median of {LOADS} \
             first visits"
        );
        for usable in &self.usable {
            let loads: Vec<String> = usable.loads.iter().map(|ms| format!("{ms:.0}")).collect();
            println!(
                "  {:<9} {:>6.0} ms (goal ≤ {} ms)  loads: {}",
                usable.profile.name,
                median(&usable.loads),
                usable.profile.goal_ms,
                loads.join(" ")
            );
        }
    }

    /// The figures for `target/bench.json`: `first_load`, `parts` and `usable_ms`.
    pub fn json(&self) -> Value {
        let first = totals(&self.first_load);
        let mut usable = serde_json::Map::new();
        let mut goals = serde_json::Map::new();
        for entry in &self.usable {
            usable.insert(
                entry.profile.name.into(),
                json!({"median": median(&entry.loads), "loads": entry.loads}),
            );
            goals.insert(entry.profile.name.into(), json!(entry.profile.goal_ms));
        }
        usable.insert("goals".into(), goals.into());
        json!({
            "first_load": {
                "files": self.first_load.iter().map(Asset::json).collect::<Vec<_>>(),
                "raw": first.raw,
                "gzip": first.gzip,
                "brotli": first.brotli,
                "transferred": self.transferred,
                "budget_gzip": FIRST_LOAD_BUDGET_GZIP,
                "other_requests": self.other_requests,
            },
            "parts": self.parts.iter().map(|(asset, prefetched)| {
                let mut part = asset.json();
                part["prefetched"] = json!(prefetched);
                part
            }).collect::<Vec<_>>(),
            "usable_ms": usable,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "http://127.0.0.1:8080";

    #[test]
    fn maps_urls_to_the_files_of_dist() {
        let file = |url: &str| dist_file(url, ORIGIN);
        let page = "http://127.0.0.1:8080/?business=1&coworker=1#token=abc";
        assert_eq!(file(page).as_deref(), Some("index.html"));
        assert_eq!(file(ORIGIN).as_deref(), Some("index.html"));
        assert_eq!(
            file("http://127.0.0.1:8080/idcheck_bg.wasm").as_deref(),
            Some("idcheck_bg.wasm")
        );
        assert_eq!(
            file("http://127.0.0.1:8080/snippets/idcheck-1/inline0.js?v=2").as_deref(),
            Some("snippets/idcheck-1/inline0.js")
        );
        assert_eq!(
            file("http://127.0.0.1:8080/portal/").as_deref(),
            Some("portal/index.html")
        );
        assert_eq!(file("http://127.0.0.1:80801/idcheck.js"), None);
        assert_eq!(file("https://example.com/idcheck.js"), None);
        assert_eq!(file("http://127.0.0.1:8080/../secret"), None);
        assert_eq!(local_origin(page), ORIGIN);
        assert_eq!(local_origin("http://127.0.0.1:8080"), ORIGIN);
    }

    #[test]
    fn splits_what_the_page_fetched_by_the_mark() {
        let url = |path: &str| format!("{ORIGIN}{path}");
        let fetched = Fetched {
            page: url("/?business=1#token=t"),
            mark_ms: 300.0,
            // Not in start order, as a browser may list them.
            requests: vec![
                (url("/idcheck_bg.wasm"), 40.0),
                (url("/idcheck.js"), 20.0),
                (url("/api/coworkers/1?x=1"), 250.0),
                (url("/split_answers.wasm"), 310.0),
                (url("/idcheck.js"), 320.0),
                (url("/split_review.wasm"), 6_000.0),
                ("https://fonts.example/a.woff2".into(), 30.0),
            ],
            transferred: HashMap::new(),
        };
        let is_file = |file: &str| !file.starts_with("api/");
        assert_eq!(
            split_by_mark(&fetched, is_file),
            Split {
                first_load: vec![
                    "index.html".into(),
                    "idcheck.js".into(),
                    "idcheck_bg.wasm".into()
                ],
                other: vec![
                    "https://fonts.example/a.woff2".into(),
                    "/api/coworkers/1".into()
                ],
                after: vec!["split_answers.wasm".into()],
            }
        );
    }

    #[test]
    fn counts_the_bytes_received_for_each_files_first_request() {
        let events = vec![
            json!({"method": "Network.requestWillBeSent",
                   "params": {"requestId": "1", "request": {"url": "http://127.0.0.1:8080/"}}}),
            json!({"method": "Network.requestWillBeSent",
                   "params": {"requestId": "2", "request": {"url": "https://example.com/x.js"}}}),
            json!({"method": "Network.loadingFinished",
                   "params": {"requestId": "1", "encodedDataLength": 1234.0}}),
            json!({"method": "Network.loadingFinished",
                   "params": {"requestId": "2", "encodedDataLength": 99.0}}),
        ];
        assert_eq!(
            received(&events, ORIGIN),
            HashMap::from([("index.html".to_string(), 1234)])
        );
    }

    #[test]
    fn the_median_is_the_middle_load() {
        assert_eq!(
            median(&[310.0, 290.0, 1200.0, 305.0, 300.0, 280.0, 299.0]),
            300.0
        );
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn the_json_has_the_first_load_the_parts_and_the_times() {
        let asset = |file: &str, gzip| Asset {
            file: file.into(),
            raw: gzip * 3,
            gzip,
            brotli: gzip - 10,
        };
        let figures = Figures {
            first_load: vec![asset("index.html", 800), asset("idcheck_bg.wasm", 90_000)],
            transferred: 80_000,
            other_requests: Vec::new(),
            parts: vec![(asset("split_answers.wasm", 20_000), true)],
            usable: vec![
                Usable {
                    profile: loopback(),
                    loads: vec![300.0, 200.0, 250.0],
                },
                Usable {
                    profile: mobile(),
                    loads: vec![1_000.0],
                },
            ],
        };
        let json = figures.json();
        assert_eq!(json["first_load"]["gzip"], 90_800);
        assert_eq!(json["first_load"]["brotli"], 90_780);
        assert_eq!(json["first_load"]["budget_gzip"], FIRST_LOAD_BUDGET_GZIP);
        assert_eq!(json["first_load"]["files"][1]["file"], "idcheck_bg.wasm");
        assert_eq!(json["parts"][0]["prefetched"], true);
        assert_eq!(json["usable_ms"]["loopback"]["median"], 250.0);
        assert_eq!(json["usable_ms"]["loopback"]["loads"][0], 300.0);
        assert_eq!(json["usable_ms"]["goals"]["mobile"], 1_500.0);
        assert!(figures.verdict().is_ok());
    }

    #[test]
    fn only_a_first_load_over_budget_fails() {
        assert!(budget_verdict(FIRST_LOAD_BUDGET_GZIP).is_ok());
        assert!(budget_verdict(95_000).is_ok());
        let over = budget_verdict(FIRST_LOAD_BUDGET_GZIP + 2_345).unwrap_err();
        assert!(over.contains("2345 over"), "{over}");
    }
}
