//! What a client's retry logic and a careless request meet: rate limits (409 + Retry-After),
//! each fault-injection action, malformed and oversized bodies, unknown ids, CORS, the served
//! component and a file database that survives a restart.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

#[tokio::test]
async fn writes_per_minute_are_limited_with_409_and_retry_after() {
    let server =
        Server::start_with(&["--no-rate-limit", "--rate-limit", "writes_per_minute=2"]).await;
    let member = server.token("member").await;
    server.create_check(&member, identity_check(1)).await;
    server.create_check(&member, identity_check(1)).await;
    let response = server
        .request(Method::POST, CHECKS, Some(&member))
        .json(&identity_check(1))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let retry: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let (_, answer) = answer(response).await;
    assert_eq!(
        answer["Message"],
        "You must wait before accessing this url again."
    );
    assert_eq!(answer["WasSuccessful"], false);
    // Reads are not writes; and a refused write wrote nothing.
    let (status, record) = server.get(&format!("{CHECKS}/3"), &member).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{record}");
    // Limits are per user: the administrator is not throttled by the member's writes.
    let admin = server.token("admin").await;
    server.create_check(&admin, identity_check(1)).await;
}

#[tokio::test]
async fn requests_closer_than_the_minimum_interval_wait_and_then_pass() {
    let server =
        Server::start_with(&["--no-rate-limit", "--rate-limit", "min_interval_ms=1000"]).await;
    let member = server.token("member").await;
    let (status, _) = server.get("/api/sys/businesses", &member).await;
    assert_eq!(status, StatusCode::OK);
    let response = server
        .request(Method::GET, "/api/sys/businesses", Some(&member))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let retry: u64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry, 1);
    tokio::time::sleep(Duration::from_secs(retry)).await;
    let (status, _) = server.get("/api/sys/businesses", &member).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a client that obeys Retry-After gets through"
    );
}

#[tokio::test]
async fn the_token_endpoint_is_limited_per_client_address() {
    let server =
        Server::start_with(&["--no-rate-limit", "--rate-limit", "requests_per_minute=2"]).await;
    let member = server.token("member").await;
    server.token("admin").await;
    let (login, password) = server.password("reviewer");
    let response = server
        .client
        .post(server.at("/api/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", login.as_str()),
            ("password", password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.headers().contains_key(header::RETRY_AFTER));
    // The member's own budget is separate from the address's.
    let (status, _) = server.get("/api/sys/businesses", &member).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn default_limits_apply_without_flags() {
    let server = Server::start_with(&[]).await;
    let member = server.token("member").await;
    // Five requests at once, well inside 100 ms of each other: all but the first are throttled.
    let sends = (0..5).map(|_| {
        server
            .request(Method::GET, "/api/sys/businesses", Some(&member))
            .send()
    });
    let mut statuses = Vec::new();
    for response in futures_join_all(sends).await {
        statuses.push(response.unwrap().status());
    }
    assert!(statuses.contains(&StatusCode::OK), "{statuses:?}");
    assert!(statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
}

/// Runs the futures concurrently and collects their outputs, in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.expect("the request task"));
    }
    outputs
}

async fn arm(server: &Server, fault: Value) {
    let (status, answer) = server
        .call(Method::POST, "/api/test/faults", None, Some(fault))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn request_count(server: &Server, route: &str) -> u64 {
    let (_, counts) = server
        .call(Method::GET, "/api/test/requests", None, None)
        .await;
    counts["Requests"][route].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn an_armed_error500_fails_the_nth_request_without_writing() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    arm(
        &server,
        json!({"method": "POST", "path": CHECKS, "nth": 2, "action": "error500"}),
    )
    .await;
    server.create_check(&admin, identity_check(1)).await;
    let (status, answer) = server.post(CHECKS, &admin, identity_check(1)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer["WasSuccessful"], false);
    assert_eq!(
        server.count(&admin, CHECKS).await,
        1,
        "the failed request wrote nothing"
    );
    server.create_check(&admin, identity_check(1)).await;
    assert_eq!(
        server.count(&admin, CHECKS).await,
        2,
        "the fault fired once"
    );
    assert_eq!(request_count(&server, &format!("POST {CHECKS}")).await, 3);
}

#[tokio::test]
async fn an_armed_delay_holds_the_request() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    arm(&server, json!({"method": "GET", "path": "/api/sys/businesses", "nth": 1, "action": "delay", "delay_ms": 1500})).await;
    let started = Instant::now();
    let (status, _) = server.get("/api/sys/businesses", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    server.get("/api/sys/businesses", &admin).await;
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "only the armed request waits"
    );
}

#[tokio::test]
async fn drop_after_write_breaks_the_answer_but_keeps_the_write() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let check = server.create_check(&member, identity_check(1)).await;
    arm(
        &server,
        json!({"method": "POST", "path": DOCUMENTS, "nth": 1, "action": "drop_after_write"}),
    )
    .await;
    let body = json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "Passport"});
    let outcome = match server
        .request(Method::POST, DOCUMENTS, Some(&member))
        .json(&body)
        .send()
        .await
    {
        Err(err) => Err(err),
        Ok(response) => response.bytes().await.map(|_| ()),
    };
    assert!(outcome.is_err(), "the client sees a failure");
    assert_eq!(
        server.count(&admin, DOCUMENTS).await,
        1,
        "although the write happened"
    );
}

#[tokio::test]
async fn an_armed_rejection_answers_400_naming_the_property_and_writes_nothing() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    arm(
        &server,
        json!({"method": "POST", "path": CHECKS, "action": "reject",
               "property": "IdentityDocumentNumber", "message": "is not a number this authority issues"}),
    )
    .await;
    let (status, answer) = server.post(CHECKS, &member, identity_check(1)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Errors"][0]["PropertyName"],
        "IdentityDocumentNumber"
    );
    assert_eq!(
        answer["Message"],
        "IdentityDocumentNumber: is not a number this authority issues"
    );
    assert_eq!(server.count(&admin, CHECKS).await, 0);
    // A rejection needs the property it names.
    let (status, _) = server
        .call(
            Method::POST,
            "/api/test/faults",
            None,
            Some(json!({"method": "POST", "path": CHECKS, "action": "reject"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn faults_can_be_cleared_listed_and_are_validated() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    arm(
        &server,
        json!({"method": "*", "path": "/api/spaces/*", "action": "error500"}),
    )
    .await;
    let (_, listed) = server
        .call(Method::GET, "/api/test/faults", None, None)
        .await;
    assert_eq!(listed["Faults"].as_array().unwrap().len(), 1);
    let (status, _) = server
        .call(Method::DELETE, "/api/test/faults", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.get(CHECKS, &admin).await;
    assert_eq!(status, StatusCode::OK, "a cleared fault does not fire");
    for (bad, property) in [
        (
            json!({"method": "POST", "path": CHECKS, "nth": 0, "action": "error500"}),
            "nth",
        ),
        (
            json!({"method": "POST", "path": CHECKS, "action": "delay"}),
            "delay_ms",
        ),
        (
            json!({"method": "POST", "path": "api", "action": "error500"}),
            "path",
        ),
        (
            json!({"method": "POST", "path": CHECKS, "action": "explode"}),
            "action",
        ),
    ] {
        let (status, answer) = server
            .call(Method::POST, "/api/test/faults", None, Some(bad))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answer["Errors"][0]["PropertyName"], property);
    }
    let (status, _) = server
        .call(Method::DELETE, "/api/test/requests", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        request_count(&server, &format!("GET {CHECKS}")).await,
        0,
        "counts were reset"
    );
}

#[tokio::test]
async fn without_the_flag_there_are_no_test_endpoints() {
    let server = Server::spawn(&["--listen", "127.0.0.1:0", "--database", ":memory:"]).await;
    let (status, _) = server
        .call(
            Method::POST,
            "/api/test/faults",
            None,
            Some(json!({"method": "GET", "path": "/", "action": "error500"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no such route without --fault-injection"
    );
}

#[tokio::test]
async fn malformed_bodies_are_clear_400s() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    let cases: [(&str, &str); 4] = [
        ("{\"Name\": ", "The request body is not valid JSON"),
        ("", "The request body is empty; send a JSON object."),
        ("[1, 2]", "The request body must be a JSON object."),
        ("\"text\"", "The request body must be a JSON object."),
    ];
    for path in [CHECKS, DOCUMENTS] {
        for (body, message) in cases {
            let response = server
                .request(Method::POST, path, Some(&admin))
                .header(header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let (status, answer) = answer(response).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
            assert!(
                answer["Message"].as_str().unwrap().starts_with(message),
                "{body:?}: {answer}"
            );
            assert_eq!(answer["WasSuccessful"], false);
        }
    }
    let response = server
        .request(Method::POST, CHECKS, Some(&admin))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(identity_check(1).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(server.count(&admin, CHECKS).await, 0);
}

#[tokio::test]
async fn an_oversized_body_is_a_413_envelope() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    let limit = idcheck_server::RECORD_BODY_LIMIT;
    let body = format!("{{\"Name\": \"{}\"}}", "x".repeat(limit));
    let response = server
        .request(Method::POST, CHECKS, Some(&admin))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, answer) = answer(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["Status"], 413);
    assert!(
        answer["Message"]
            .as_str()
            .unwrap()
            .starts_with("The request body is larger than"),
        "{answer}"
    );
    assert_eq!(server.count(&admin, CHECKS).await, 0);
}

#[tokio::test]
async fn unknown_ids_are_404_envelopes() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    for (path, message) in [
        (
            format!("{CHECKS}/123"),
            "CoworkerIdentityCheck 123 was not found.",
        ),
        (
            format!("{CHECKS}/abc"),
            "CoworkerIdentityCheck abc was not found.",
        ),
        (
            format!("{CHECKS}/-4"),
            "CoworkerIdentityCheck -4 was not found.",
        ),
        (
            format!("{DOCUMENTS}/123"),
            "CoworkerIdentityCheckDocument 123 was not found.",
        ),
    ] {
        for method in [Method::GET, Method::DELETE] {
            let (status, answer) = server.call(method.clone(), &path, Some(&admin), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(answer["Message"], message);
            assert_eq!(answer["Status"], 404);
        }
    }
}

#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    let server = Server::start_with(&[
        "--no-rate-limit",
        "--cors-origin",
        "http://component.test:8000",
    ])
    .await;
    let preflight = server
        .request(Method::OPTIONS, CHECKS, None)
        .header(header::ORIGIN, "http://component.test:8000")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        preflight.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://component.test:8000"
    );
    let allowed = preflight.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    // Errors carry the header too, so the browser can read a 401 or a 409.
    let refused = server
        .request(Method::GET, CHECKS, None)
        .header(header::ORIGIN, "http://component.test:8000")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "http://component.test:8000"
    );
    let other = server
        .request(Method::GET, CHECKS, None)
        .header(header::ORIGIN, "http://elsewhere.test")
        .send()
        .await
        .unwrap();
    assert!(
        !other
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
    );
}

#[tokio::test]
async fn the_component_is_served_with_an_index_fallback() {
    let dist =
        std::env::temp_dir().join(format!("idcheck-server-test-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>idcheck</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app.js"), "console.log('hi')").unwrap();
    let server = Server::start_with(&["--no-rate-limit", "--dist", dist.to_str().unwrap()]).await;
    for (path, expected) in [
        ("/", "<!doctype html>"),
        ("/app.js", "console.log"),
        ("/welcome/step", "<!doctype html>"),
    ] {
        let response = server.client.get(server.at(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            response.text().await.unwrap().starts_with(expected),
            "{path}"
        );
    }
    let (status, _) = server.call(Method::GET, "/api/unknown", None, None).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "unknown API paths are not the component"
    );

    // The build's precompressed files are sent to a browser that accepts them, and only a
    // versioned address may be kept for ever.
    std::fs::write(dist.join("app.js.br"), "brotli bytes").unwrap();
    for (path, accept, body, encoding, cache) in [
        (
            "/app.js",
            "gzip, br",
            "brotli bytes",
            Some("br"),
            "no-cache",
        ),
        ("/app.js", "gzip", "console.log('hi')", None, "no-cache"),
        (
            "/app.js?v=2",
            "br",
            "brotli bytes",
            Some("br"),
            "public, max-age=31536000, immutable",
        ),
        ("/gone.js?v=2", "br", "<!doctype html>", None, "no-cache"),
    ] {
        let response = server
            .client
            .get(server.at(path))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        let headers = response.headers().clone();
        let value = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(
            value("content-encoding").as_deref(),
            encoding,
            "{path} {accept}"
        );
        assert_eq!(value("cache-control").as_deref(), Some(cache), "{path}");
        assert_eq!(value("vary").as_deref(), Some("accept-encoding"), "{path}");
        assert!(
            response.text().await.unwrap().starts_with(body),
            "{path} {accept}"
        );
    }
    drop(server);
    std::fs::remove_dir_all(&dist).unwrap();
}

#[tokio::test]
async fn a_file_database_keeps_its_data_across_restarts() {
    let folder =
        std::env::temp_dir().join(format!("idcheck-server-test-db-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let database = folder.join("nested").join("idcheck.sqlite3");
    let args = [
        "--listen",
        "127.0.0.1:0",
        "--no-rate-limit",
        "--database",
        database.to_str().unwrap(),
    ];
    let first = Server::spawn(&args).await;
    let member = first.token("member").await;
    let check = first.create_check(&member, identity_check(1)).await;
    let document = first
        .create_document(&member, json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "d", "NewPhotoUrl": data_url("image/jpeg", &jpeg(300))}))
        .await;
    drop(first);
    assert!(
        folder.join("nested").join("files").is_dir(),
        "files live beside the database by default"
    );

    let second = Server::spawn(&args).await;
    assert_eq!(second.users.len(), 5, "the demo users are announced again");
    let member = second.token("member").await;
    assert_eq!(second.check(&member, check).await["Name"], "Identity check");
    let response = second
        .request(
            Method::GET,
            &format!("{DOCUMENTS}/{document}/files/photo"),
            Some(&member),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.bytes().await.unwrap().to_vec(), jpeg(300));
    let admin = second.token("admin").await;
    let (_, businesses) = second.get("/api/sys/businesses", &admin).await;
    assert_eq!(
        businesses["TotalItems"], 2,
        "the demo data was not seeded twice"
    );
    drop(second);
    std::fs::remove_dir_all(&folder).unwrap();
}
