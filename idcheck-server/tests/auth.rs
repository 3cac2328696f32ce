//! `POST /api/token` (password and refresh-token grants, the OAuth errors) and the bearer check
//! (401) and role check (403) on every resource route.

mod common;

use common::*;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

async fn token_call(server: &Server, form: &[(&str, &str)]) -> (StatusCode, Value) {
    answer(
        server
            .client
            .post(server.at("/api/token"))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_password_grant_answers_as_api_notes_describe() {
    let server = Server::start().await;
    let (login, password) = server.password("member");
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
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    let (_, body) = answer(response).await;
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600, "an access token lives an hour");
    assert!(body["access_token"].as_str().unwrap().len() >= 32);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 32);
    assert_ne!(body["access_token"], body["refresh_token"]);
    // The e-mail is matched without regard to case, as logins are.
    let (status, _) = token_call(
        &server,
        &[
            ("grant_type", "password"),
            ("username", "MEMBER@example.com"),
            ("password", &password),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_credentials_and_bad_grants_are_refused() {
    let server = Server::start().await;
    let (login, _) = server.password("member");
    for form in [
        vec![
            ("grant_type", "password"),
            ("username", login.as_str()),
            ("password", "wrong"),
        ],
        vec![
            ("grant_type", "password"),
            ("username", "nobody@example.com"),
            ("password", "member-demo-password"),
        ],
    ] {
        let (status, body) = token_call(&server, &form).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{form:?}");
        assert_eq!(body["error"], "invalid_grant");
    }
    for form in [
        vec![("username", login.as_str())],
        vec![("grant_type", "client_credentials")],
    ] {
        let (status, body) = token_call(&server, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}");
        assert_eq!(body["error"], "unsupported_grant_type");
    }
    let (status, body) = token_call(
        &server,
        &[("grant_type", "password"), ("username", login.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
}

#[tokio::test]
async fn a_json_body_gets_unsupported_grant_type() {
    let server = Server::start().await;
    let (login, password) = server.password("member");
    let (status, body) = server
        .call(
            Method::POST,
            "/api/token",
            None,
            Some(json!({"grant_type": "password", "username": login, "password": password})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn a_refresh_token_renews_once() {
    let server = Server::start().await;
    let (login, password) = server.password("member");
    let (_, first) = token_call(
        &server,
        &[
            ("grant_type", "password"),
            ("username", &login),
            ("password", &password),
        ],
    )
    .await;
    let refresh = first["refresh_token"].as_str().unwrap().to_string();
    let (status, renewed) = token_call(
        &server,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let access = renewed["access_token"].as_str().unwrap();
    assert_ne!(access, first["access_token"].as_str().unwrap());
    let (status, _) = server.post(CHECKS, access, identity_check(1)).await;
    assert_eq!(status, StatusCode::OK, "the renewed token works");
    let (status, body) = token_call(
        &server,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a used refresh token is spent"
    );
    assert_eq!(body["error"], "invalid_grant");
    // An access token is not a refresh token.
    let (status, _) = token_call(
        &server,
        &[("grant_type", "refresh_token"), ("refresh_token", access)],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = token_call(&server, &[("grant_type", "refresh_token")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Every resource route with a body that would otherwise be fine.
fn routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::POST, CHECKS, Some(identity_check(1))),
        (Method::GET, CHECKS, None),
        (Method::GET, "/api/spaces/coworkeridentitychecks/1", None),
        (
            Method::PUT,
            CHECKS,
            Some(with(identity_check(1), json!({"Id": 1}))),
        ),
        (Method::DELETE, "/api/spaces/coworkeridentitychecks/1", None),
        (
            Method::POST,
            DOCUMENTS,
            Some(json!({"CoworkerId": 1, "CoworkerIdentityCheckId": 1, "Name": "d"})),
        ),
        (Method::GET, DOCUMENTS, None),
        (
            Method::GET,
            "/api/spaces/coworkeridentitycheckdocuments/1",
            None,
        ),
        (
            Method::PUT,
            DOCUMENTS,
            Some(json!({"Id": 1, "CoworkerId": 1, "CoworkerIdentityCheckId": 1, "Name": "d"})),
        ),
        (
            Method::DELETE,
            "/api/spaces/coworkeridentitycheckdocuments/1",
            None,
        ),
        (
            Method::GET,
            "/api/spaces/coworkeridentitycheckdocuments/1/files/photo",
            None,
        ),
        (Method::POST, "/api/uploads", None),
        (Method::GET, "/api/sys/businesses", None),
        (Method::GET, "/api/spaces/coworkers", None),
    ]
}

#[tokio::test]
async fn every_resource_route_needs_a_valid_bearer_token() {
    let server = Server::start().await;
    for (method, path, body) in routes() {
        let (status, answer) = server.call(method.clone(), path, None, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        assert_eq!(answer["WasSuccessful"], false);
        assert_eq!(answer["Status"], 401);
        let (status, answer) = server
            .call(method.clone(), path, Some("not-a-token"), body.clone())
            .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with a bad token"
        );
        assert_eq!(
            answer["Message"],
            "The access token is invalid or has expired."
        );
        let response = server
            .request(method.clone(), path, None)
            .header(header::AUTHORIZATION, "Basic bWVtYmVyOnB3")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path} with Basic auth"
        );
    }
}

#[tokio::test]
async fn each_role_opens_only_its_routes() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let reviewer = server.token("reviewer").await;
    // (user, method, path, body, the role the 403 must name)
    let forbidden: Vec<(&str, Method, &str, Option<Value>, &str)> = vec![
        (
            &member,
            Method::PUT,
            CHECKS,
            Some(json!({"Id": 1})),
            "CoworkerIdentityCheck-Edit",
        ),
        (
            &member,
            Method::DELETE,
            "/api/spaces/coworkeridentitychecks/1",
            None,
            "CoworkerIdentityCheck-Delete",
        ),
        (
            &member,
            Method::PUT,
            DOCUMENTS,
            Some(json!({"Id": 1})),
            "CoworkerIdentityCheckDocument-Edit",
        ),
        (
            &member,
            Method::DELETE,
            "/api/spaces/coworkeridentitycheckdocuments/1",
            None,
            "CoworkerIdentityCheckDocument-Delete",
        ),
        (
            &reviewer,
            Method::POST,
            CHECKS,
            Some(identity_check(1)),
            "CoworkerIdentityCheck-Create",
        ),
        (
            &reviewer,
            Method::POST,
            DOCUMENTS,
            Some(json!({"Name": "d"})),
            "CoworkerIdentityCheckDocument-Create",
        ),
        (
            &reviewer,
            Method::DELETE,
            "/api/spaces/coworkeridentitychecks/1",
            None,
            "CoworkerIdentityCheck-Delete",
        ),
        (
            &reviewer,
            Method::POST,
            "/api/uploads",
            None,
            "CoworkerIdentityCheck-Create",
        ),
    ];
    for (token, method, path, body, role) in forbidden {
        let (status, answer) = server.call(method.clone(), path, Some(token), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
        assert_eq!(answer["Status"], 403);
        assert_eq!(answer["WasSuccessful"], false);
        let message = answer["Message"].as_str().unwrap();
        assert!(message.contains(role), "{method} {path}: {message}");
    }
    // The roles the component needs are enough for it: create and read both records.
    let check = server.create_check(&member, identity_check(1)).await;
    server.check(&member, check).await;
    let document = server
        .create_document(
            &member,
            json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "Passport"}),
        )
        .await;
    server.document(&member, document).await;
    // The reviewer reads, lists and edits.
    server.check(&reviewer, check).await;
    assert_eq!(server.count(&reviewer, CHECKS).await, 1);
    assert_eq!(server.count(&reviewer, DOCUMENTS).await, 1);
}

#[tokio::test]
async fn the_role_is_checked_before_the_body_is_read() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let response = server
        .request(Method::PUT, CHECKS, Some(&member))
        .header(header::CONTENT_TYPE, "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_administrator_holds_every_role() {
    let server = Server::start().await;
    let admin = server.token("admin").await;
    let check = server.create_check(&admin, identity_check(1)).await;
    assert_eq!(server.count(&admin, CHECKS).await, 1);
    let record = server.check(&admin, check).await;
    let (status, _) = server.put(CHECKS, &admin, record).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = server.delete(&format!("{CHECKS}/{check}"), &admin).await;
    assert_eq!(status, StatusCode::OK);
}

/// Asserts a 403 that names `role`.
async fn assert_forbidden(
    server: &Server,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    role: &str,
) {
    let (status, answer) = server.call(method.clone(), path, Some(token), body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
    let message = answer["Message"].as_str().unwrap();
    assert!(message.contains(role), "{method} {path}: {message}");
}

#[tokio::test]
async fn the_second_member_signs_in_and_acts_for_coworker_2() {
    let server = Server::start().await;
    let (login, password) = server.password("member2");
    assert_eq!(
        (login.as_str(), password.as_str()),
        ("member2@example.com", "member2-demo-password")
    );
    let (status, _) = token_call(
        &server,
        &[
            ("grant_type", "password"),
            ("username", "member2@example.com"),
            ("password", "member-demo-password"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the first member's password"
    );
    let member2 = server.token("member2").await;
    let check = server
        .create_check(&member2, with(identity_check(1), json!({"CoworkerId": 2})))
        .await;
    let record = server.check(&member2, check).await;
    assert_eq!(
        (
            &record["CoworkerId"],
            &record["CoworkerFullName"],
            &record["BusinessId"]
        ),
        (&json!(2), &json!("Bea Traveller"), &json!(1))
    );
    assert_eq!(record["UpdatedBy"], "member2@example.com");
    let document = server
        .create_document(
            &member2,
            json!({"CoworkerId": 2, "CoworkerIdentityCheckId": check, "Name": "Passport"}),
        )
        .await;
    server.document(&member2, document).await;
    assert_eq!(server.count(&member2, CHECKS).await, 1);
    // The same roles as the first member: no edit, no delete.
    assert_forbidden(
        &server,
        &member2,
        Method::PUT,
        CHECKS,
        Some(with(record, json!({"Name": "Renamed"}))),
        "CoworkerIdentityCheck-Edit",
    )
    .await;
    assert_forbidden(
        &server,
        &member2,
        Method::DELETE,
        &format!("{CHECKS}/{check}"),
        None,
        "CoworkerIdentityCheck-Delete",
    )
    .await;
}

#[tokio::test]
async fn the_gateway_account_forwards_what_members_do_but_never_deletes() {
    let server = Server::start().await;
    let gateway = server.token("gateway").await;
    // Create, read, list and edit checks: an operator's request, then the member's answers.
    let check = server
        .create_check(
            &gateway,
            json!({"BusinessId": 1, "CoworkerId": 2, "Name": "Requested", "VerificationType": 1}),
        )
        .await;
    let record = server.check(&gateway, check).await;
    assert_eq!(server.count(&gateway, CHECKS).await, 1);
    let (status, updated) = server
        .put(
            CHECKS,
            &gateway,
            with(
                record,
                json!({"IdentityDocumentType": 1, "IdentityDocumentNumber": "X1"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    // Create, read and list documents, with an uploaded image.
    let response = server
        .request(Method::POST, "/api/uploads", Some(&gateway))
        .body(jpeg(600))
        .send()
        .await
        .unwrap();
    let (status, upload) = answer(response).await;
    assert_eq!(status, StatusCode::OK, "{upload}");
    let document = server
        .create_document(
            &gateway,
            json!({"CoworkerId": 2, "CoworkerIdentityCheckId": check, "Name": "Passport",
                   "NewPhotoUrl": upload["Url"]}),
        )
        .await;
    let stored = server.document(&gateway, document).await;
    assert_eq!(server.count(&gateway, DOCUMENTS).await, 1);
    // Never a delete, nor an edit of a document.
    assert_forbidden(
        &server,
        &gateway,
        Method::DELETE,
        &format!("{CHECKS}/{check}"),
        None,
        "CoworkerIdentityCheck-Delete",
    )
    .await;
    assert_forbidden(
        &server,
        &gateway,
        Method::DELETE,
        &format!("{DOCUMENTS}/{document}"),
        None,
        "CoworkerIdentityCheckDocument-Delete",
    )
    .await;
    assert_forbidden(
        &server,
        &gateway,
        Method::PUT,
        DOCUMENTS,
        Some(stored),
        "CoworkerIdentityCheckDocument-Edit",
    )
    .await;
    // Nothing was deleted.
    server.check(&gateway, check).await;
    server.document(&gateway, document).await;
}
