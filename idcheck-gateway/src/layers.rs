//! The layers every request passes through, apart from what any one route does: the headers of
//! every answer (a strict Content-Security-Policy on the pages, `nosniff`, `no-referrer`, no
//! caching of member answers), the limits (a declared body over the route's limit is refused
//! before it is read; a time limit and a bound on requests at once), and the refusal of tokens in
//! URLs. Each is a middleware or a tower-http layer that [`crate::app`] stacks; no handler repeats
//! any of it.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::GatewayError;
use crate::routes::BodyLimit;
use crate::state::AppState;

/// Whether `path` is an API route (the member API, MasStack's, the demo portal's token): answers
/// for a program, never a page.
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/v1/") || path == "/portal/member-token"
}

// ---------------------------------------------------------------------------------------------
// Headers

/// The Content-Security-Policy of every page the gateway serves (the component and the example
/// portal), before its `frame-ancestors` and the hashes of the page's own inline scripts.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
     style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; media-src 'self' blob:; \
     object-src 'none'; base-uri 'none'; frame-ancestors {ancestors}";
/// API answers are data: nothing in them may run, load or be framed.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// The largest page whose inline scripts are hashed; a larger one gets no inline script at all.
const MAX_HASHED_PAGE_BYTES: u64 = 1 << 20;

/// The headers of every answer. Every one: `X-Content-Type-Options: nosniff` and
/// `Referrer-Policy: no-referrer`. API answers: a policy that runs nothing, and
/// `Cache-Control: no-store` unless the route set its own. Pages and their assets:
/// `Permissions-Policy: camera=(self)`, and on HTML the page policy, whose `script-src` admits the
/// page's own inline scripts by their SHA-256 (Trunk's loader is one) and nothing else inline.
pub async fn security_headers(
    State(ancestors): State<Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    let api = is_api(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if api {
        if !headers.contains_key(header::CACHE_CONTROL) {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_POLICY),
        );
        return response;
    }
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self)"),
    );
    // A 304 keeps the headers the browser stored with the page, its hashes included.
    if !is_html(&response) || response.status() == StatusCode::NOT_MODIFIED {
        return response;
    }
    let length = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let (mut parts, body) = response.into_parts();
    let (body, hashes) = match length {
        Some(length) if length <= MAX_HASHED_PAGE_BYTES => {
            match axum::body::to_bytes(body, MAX_HASHED_PAGE_BYTES as usize).await {
                Ok(bytes) => {
                    let hashes = inline_script_hashes(&String::from_utf8_lossy(&bytes));
                    (Body::from(bytes), hashes)
                }
                Err(_) => {
                    return GatewayError::Internal("a page could not be read".into())
                        .into_response();
                }
            }
        }
        _ => (body, Vec::new()),
    };
    let policy = page_policy(&ancestors, &hashes);
    if let Ok(value) = HeaderValue::from_str(&policy) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Response::from_parts(parts, body)
}

fn is_html(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"))
}

/// The page policy with `ancestors` (already checked sources) and the scripts' hashes.
pub fn page_policy(ancestors: &str, hashes: &[String]) -> String {
    let hashes: String = hashes.iter().map(|h| format!(" '{h}'")).collect();
    PAGE_POLICY
        .replace("{hashes}", &hashes)
        .replace("{ancestors}", ancestors)
}

/// `sha256-…` of each inline `<script>` (one without `src`) of `html`, as CSP hash sources: the
/// text between the tags, with line breaks normalised as the browser's parser does.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<script") {
        let tag_start = from + found;
        let after_name = tag_start + "<script".len();
        from = after_name;
        if !lower[after_name..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_whitespace() || c == '>' || c == '/')
        {
            continue;
        }
        let Some((names, content_start)) = tag_attributes(&lower, after_name) else {
            break;
        };
        let Some(length) = lower[content_start..].find("</script") else {
            break;
        };
        let content_end = content_start + length;
        from = content_end;
        if names.iter().any(|name| name == "src") {
            continue;
        }
        let text = html[content_start..content_end]
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        hashes.push(format!(
            "sha256-{}",
            base64(&Sha256::digest(text.as_bytes()))
        ));
    }
    hashes.sort();
    hashes.dedup();
    hashes
}

/// The attribute names of the tag whose attributes start at `at`, and where its content starts.
fn tag_attributes(lower: &str, mut at: usize) -> Option<(Vec<String>, usize)> {
    let bytes = lower.as_bytes();
    let mut names = Vec::new();
    loop {
        while bytes.get(at)?.is_ascii_whitespace() || *bytes.get(at)? == b'/' {
            at += 1;
        }
        if bytes[at] == b'>' {
            return Some((names, at + 1));
        }
        let start = at;
        while !matches!(bytes.get(at)?, b'=' | b'>' | b'/') && !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        names.push(lower[start..at].to_string());
        while bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        if bytes[at] != b'=' {
            continue;
        }
        at += 1;
        while bytes.get(at)?.is_ascii_whitespace() {
            at += 1;
        }
        match bytes[at] {
            quote @ (b'"' | b'\'') => {
                at += 1;
                while *bytes.get(at)? != quote {
                    at += 1;
                }
                at += 1;
            }
            _ => {
                while !bytes.get(at)?.is_ascii_whitespace() && bytes[at] != b'>' {
                    at += 1;
                }
            }
        }
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Limits

/// A router's middleware (`from_fn_with_state(BodyLimit(n), limit_body)`): records the routes'
/// body limit for the extractors, and refuses a request whose declared `Content-Length` is over it
/// before anything reads the body: a declared gigabyte costs the gateway nothing. (A body without a
/// declared length is cut off at the limit as it is read.)
pub async fn limit_body(
    State(limit): State<BodyLimit>,
    mut request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit.0 as u64) {
        discard_in_background(request.into_body());
        let mut response = GatewayError::PayloadTooLarge { limit: limit.0 }.into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    request.extensions_mut().insert(limit);
    next.run(request).await
}

/// What a refused body may still cost: at most this many bytes, this long, this many at once.
const DISCARD_BYTES: usize = 16 * 1024 * 1024;
const DISCARD_TIME: Duration = Duration::from_secs(10);
static DISCARDS: Semaphore = Semaphore::const_new(16);

/// A client that sends its whole body before reading the answer (most do) would see a broken pipe
/// instead of the 413 if the connection closed at once; so a little of the rest is read and
/// dropped beside the answer, within [`DISCARD_BYTES`], [`DISCARD_TIME`] and a few at a time.
fn discard_in_background(body: Body) {
    let Ok(permit) = DISCARDS.try_acquire() else {
        return;
    };
    tokio::spawn(async move {
        let _permit = permit;
        let _ = tokio::time::timeout(DISCARD_TIME, async move {
            use axum::body::HttpBody;
            let mut body = body;
            let mut seen = 0usize;
            while let Some(Ok(frame)) =
                std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
            {
                seen += frame.data_ref().map_or(0, |data| data.len());
                if seen > DISCARD_BYTES {
                    break;
                }
            }
        })
        .await;
    });
}

/// At most so many requests at once (a request holds its place from its first byte to its answer's
/// headers): beyond, refused at once, never queued. An API request gets Nexudus' throttling shape
/// (409 with `Retry-After`), which the component waits out; a page or asset a 503.
pub async fn limit_concurrency(
    State(permits): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_permit) = permits.clone().try_acquire_owned() else {
        if is_api(request.uri().path()) {
            return GatewayError::Busy {
                retry_after_secs: 1,
            }
            .into_response();
        }
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            "Busy: try again in a second.\n",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    next.run(request).await
}

/// Around tower-http's `TimeoutLayer`: its bare 408 becomes the gateway's error, in the path's form.
pub async fn timeout_form(request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let response = next.run(request).await;
    if api && response.status() == StatusCode::REQUEST_TIMEOUT {
        return GatewayError::Timeout.into_response();
    }
    response
}

/// The time limit of every request, body included.
pub fn timeout_layer(limit: Duration) -> tower_http::timeout::TimeoutLayer {
    tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limit)
}

// ---------------------------------------------------------------------------------------------
// Tokens in URLs

/// Query parameters that would carry a credential.
const TOKEN_PARAMETERS: &[&str] = &["token", "access_token"];

/// A credential never travels in a URL, where it stays in histories, `Referer` headers and logs.
/// A member token seen in a query string is revoked at once (it must be taken as leaked); the
/// operator key is never accepted that way and its sighting is logged (without it) for rotation.
/// An API request carrying one is refused with a 400 naming the parameter; a page is still served,
/// and the component explains where a token goes.
pub async fn refuse_tokens_in_urls(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some((name, value)) = request.uri().query().and_then(token_in_query) else {
        return next.run(request).await;
    };
    if !value.is_empty() {
        if crate::member::is_operator_key(&state, &value) {
            eprintln!(
                "idcheck-gateway: the operator key was sent in a URL's query string: rotate it"
            );
        } else if let Err(error) = crate::member::revoke(&state.db, &value).await {
            return error.into_response();
        }
    }
    if is_api(request.uri().path()) || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return GatewayError::bad_request(
            &name,
            "a token never travels in a URL, where histories and logs keep it: send it in the \
             Authorization header (a member token sent in a URL is revoked)",
        )
        .into_response();
    }
    next.run(request).await
}

/// The first query parameter named like a token, with its value.
pub fn token_in_query(query: &str) -> Option<(String, String)> {
    form_pairs(query).find(|(name, _)| {
        TOKEN_PARAMETERS
            .iter()
            .any(|token| name.trim().eq_ignore_ascii_case(token))
    })
}

fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    reqwest::Url::parse(&format!("http://query.invalid/?{query}"))
        .map(|url| url.query_pairs().into_owned().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_standard() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(bytes), text);
        }
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html = "<head><script type=\"module\">\r\nimport init from '/a.js';\n</script>\
            <SCRIPT src=\"/b.js\"></SCRIPT><script data-x='>' src=/c.js></script>\
            <scripts></scripts><script>alert(1)</script></head>";
        let hashes = inline_script_hashes(html);
        let expected = |text: &str| format!("sha256-{}", base64(&Sha256::digest(text.as_bytes())));
        let mut want = vec![
            expected("\nimport init from '/a.js';\n"),
            expected("alert(1)"),
        ];
        want.sort();
        assert_eq!(hashes, want);
        assert_eq!(
            inline_script_hashes("<script>unterminated"),
            Vec::<String>::new()
        );
        assert_eq!(inline_script_hashes("<script"), Vec::<String>::new());
    }

    #[test]
    fn tokens_are_found_under_any_case_and_encoding() {
        assert_eq!(
            token_in_query("a=1&Access_Token=abc"),
            Some(("Access_Token".into(), "abc".into()))
        );
        assert_eq!(
            token_in_query("%74oken=x%20y"),
            Some(("token".into(), "x y".into()))
        );
        assert_eq!(token_in_query("invitation=K7M3QX9A&tokens=1"), None);
    }
}

/// The component's static files: the `.br` or `.gz` the build wrote beside a file when the browser
/// accepts it, and how long the browser may keep it: for ever when its address names its version
/// (`?v=`, which changes with the content, as the translations' addresses do), otherwise only after
/// asking again (a host imports `idcheck.js` by a fixed name, so a new build must be seen at once;
/// an unchanged file then costs a 304). Pages are always asked for again.
pub async fn asset_caching(request: Request, next: Next) -> Response {
    let versioned = request
        .uri()
        .query()
        .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("v=")));
    let mut response = next.run(request).await;
    // An unknown path is answered with the page itself: that must never be kept as the file.
    let page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    let policy = if versioned && response.status().is_success() && !page {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}
