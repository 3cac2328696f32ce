//! Files: `New…Url` as `data:` URLs, as http URLs fetched from a loopback server (success and
//! failure, with nothing written on failure), `POST /api/uploads`, the download route, and
//! clearing or replacing a file. Every way in takes any real image up to 10 MB, however small:
//! the member rules' 100-byte minimum is the gateway's and the component's, not the API's.

mod common;

use common::*;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

fn document(check: i64, files: Value) -> Value {
    with(
        json!({"CoworkerId": 1, "CoworkerIdentityCheckId": check, "Name": "Document"}),
        files,
    )
}

/// Downloads a document's file: status, Content-Type and bytes.
async fn download(
    server: &Server,
    token: &str,
    id: i64,
    slot: &str,
) -> (StatusCode, String, Vec<u8>) {
    let response = server
        .request(
            Method::GET,
            &format!("{DOCUMENTS}/{id}/files/{slot}"),
            Some(token),
        )
        .send()
        .await
        .unwrap();
    let status = response.status();
    let mime = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, mime, response.bytes().await.unwrap().to_vec())
}

#[test]
fn the_tests_base64_matches_known_values() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(&[0xFF, 0xD8, 0xFF, 0xE0]), "/9j/4A==");
}

#[tokio::test]
async fn data_urls_are_stored_and_downloadable() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let check = server.create_check(&member, identity_check(2)).await;
    let (face, front, back) = (jpeg(2000), png(3000), webp(1200));
    let id = server
        .create_document(
            &member,
            document(
                check,
                json!({
                    "NewPhotoUrl": data_url("image/jpeg", &face),
                    "NewDocumentUrl": data_url("image/png", &front),
                    // The declared type is not trusted: these bytes are WebP.
                    "NewAdditionalDocumentUrl": data_url("application/octet-stream", &back),
                }),
            ),
        )
        .await;
    let record = server.document(&member, id).await;
    assert!(record["PhotoFileName"].as_str().unwrap().ends_with(".jpg"));
    assert!(
        record["DocumentFileName"]
            .as_str()
            .unwrap()
            .ends_with(".png")
    );
    assert!(
        record["AdditionalDocumentFileName"]
            .as_str()
            .unwrap()
            .ends_with(".webp")
    );
    for (slot, mime, bytes) in [
        ("photo", "image/jpeg", &face),
        ("document", "image/png", &front),
        ("additionaldocument", "image/webp", &back),
    ] {
        let (status, got_mime, got) = download(&server, &member, id, slot).await;
        assert_eq!(status, StatusCode::OK, "{slot}");
        assert_eq!(got_mime, mime, "{slot}");
        assert_eq!(&got, bytes, "{slot}");
    }
}

#[tokio::test]
async fn http_urls_are_fetched() {
    // The file server is on loopback: only a server that opted in may fetch from it.
    let server = Server::start_with(&["--no-rate-limit", "--allow-private-fetch"]).await;
    let files = FileServer::start().await;
    let member = server.token("member").await;
    let check = server.create_check(&member, identity_check(3)).await;
    let id = server
        .create_document(
            &member,
            document(
                check,
                json!({
                    "NewPhotoUrl": files.at("/face.jpg"),
                    "NewDocumentUrl": files.at("/front.png"),
                    "NewAdditionalDocumentUrl": files.at("/back.webp"),
                }),
            ),
        )
        .await;
    let (status, mime, bytes) = download(&server, &member, id, "document").await;
    assert_eq!((status, mime.as_str()), (StatusCode::OK, "image/png"));
    assert_eq!(bytes, png(3000));
    let (_, _, bytes) = download(&server, &member, id, "photo").await;
    assert_eq!(bytes, jpeg(2048));
    // An ID card needs all three: the check is now Submitted.
    assert_eq!(server.check(&member, check).await["VerificationStatus"], 2);
}

#[tokio::test]
async fn small_images_are_stored_whichever_way_they_come() {
    // The file server is on loopback: only a server that opted in may fetch from it.
    let server = Server::start_with(&["--no-rate-limit", "--allow-private-fetch"]).await;
    let files = FileServer::start().await;
    let member = server.token("member").await;
    let tiny_png = png(16);
    let response = server
        .request(Method::POST, "/api/uploads", Some(&member))
        .body(tiny_png.clone())
        .send()
        .await
        .unwrap();
    let (status, upload) = answer(response).await;
    assert_eq!(status, StatusCode::OK, "{upload}");
    assert_eq!(upload["Size"], 16);
    let bare_jpeg = vec![0xFF, 0xD8, 0xFF];
    let check = server.create_check(&member, identity_check(2)).await;
    let id = server
        .create_document(
            &member,
            document(
                check,
                json!({
                    "NewPhotoUrl": data_url("image/jpeg", &bare_jpeg),
                    "NewDocumentUrl": upload["Url"],
                    "NewAdditionalDocumentUrl": files.at("/tiny.webp"),
                }),
            ),
        )
        .await;
    for (slot, mime, bytes) in [
        ("photo", "image/jpeg", bare_jpeg),
        ("document", "image/png", tiny_png),
        ("additionaldocument", "image/webp", webp(20)),
    ] {
        let (status, got_mime, got) = download(&server, &member, id, slot).await;
        assert_eq!(
            (status, got_mime.as_str(), got),
            (StatusCode::OK, mime, bytes),
            "{slot}"
        );
    }
    assert_eq!(
        server.check(&member, check).await["VerificationStatus"],
        2,
        "a driving licence's three images: Submitted"
    );
}

#[tokio::test]
async fn a_url_that_fails_refuses_the_request_and_writes_nothing() {
    // The file server is on loopback: only a server that opted in may fetch from it.
    let server = Server::start_with(&["--no-rate-limit", "--allow-private-fetch"]).await;
    let files = FileServer::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let check = server.create_check(&member, identity_check(1)).await;
    // A port nothing listens on: bind one, then free it.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/face.jpg", listener.local_addr().unwrap())
    };
    let cases = [
        (
            "NewDocumentUrl",
            files.at("/missing.png"),
            // One message for every URL that gave no file, whatever the reason.
            "could not be fetched",
        ),
        (
            "NewPhotoUrl",
            files.at("/notes.txt"),
            "is not an accepted file type (JPEG, PNG, WebP or PDF)",
        ),
        (
            "NewAdditionalDocumentUrl",
            closed.clone(),
            "could not be fetched",
        ),
    ];
    for (property, url, message) in cases {
        // The other slots hold good files: one bad URL still refuses the whole document.
        let mut body = document(
            check,
            json!({"NewPhotoUrl": files.at("/face.jpg"), "NewDocumentUrl": files.at("/front.png")}),
        );
        body[property] = Value::String(url.clone());
        let (status, answer) = server.post(DOCUMENTS, &member, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}: {answer}");
        assert_eq!(answer["Errors"].as_array().unwrap().len(), 1, "{answer}");
        assert_eq!(answer["Errors"][0]["PropertyName"], property);
        assert_eq!(answer["Errors"][0]["Message"], message);
        assert_eq!(answer["Errors"][0]["AttemptedValue"], url);
        assert_eq!(answer["Message"], format!("{property}: {message}"));
    }
    assert_eq!(
        server.count(&admin, DOCUMENTS).await,
        0,
        "no document was written"
    );
    assert_eq!(
        server.check(&member, check).await["VerificationStatus"],
        1,
        "the check is still Pending"
    );
}

#[tokio::test]
async fn uploads_are_stored_and_named_by_url() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let face = jpeg(4096);
    let response = server
        .request(Method::POST, "/api/uploads", Some(&member))
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(face.clone())
        .send()
        .await
        .unwrap();
    let (status, upload) = answer(response).await;
    assert_eq!(status, StatusCode::OK, "{upload}");
    let url = upload["Url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&format!("{}/api/uploads/", server.url)) && url.ends_with(".jpg"),
        "{url}"
    );
    assert_eq!(upload["ContentType"], "image/jpeg");
    assert_eq!(upload["Size"], 4096);

    // The uploader can read it back; a user who did not upload it cannot.
    let response = server
        .client
        .get(&url)
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap().to_vec(), face);
    let response = server.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let check = server.create_check(&member, identity_check(1)).await;
    let id = server
        .create_document(
            &member,
            document(check, json!({"NewPhotoUrl": url, "NewDocumentUrl": url})),
        )
        .await;
    let (_, mime, bytes) = download(&server, &member, id, "document").await;
    assert_eq!((mime.as_str(), bytes), ("image/jpeg", face));
    assert_eq!(
        server.check(&member, check).await["VerificationStatus"],
        2,
        "a passport's photo and front: Submitted"
    );
}

#[tokio::test]
async fn another_users_upload_cannot_be_named() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let admin = server.token("admin").await;
    let response = server
        .request(Method::POST, "/api/uploads", Some(&admin))
        .body(png(500))
        .send()
        .await
        .unwrap();
    let (_, upload) = answer(response).await;
    let url = upload["Url"].as_str().unwrap().to_string();
    let check = server.create_check(&member, identity_check(1)).await;
    let (status, answer) = server
        .post(
            DOCUMENTS,
            &member,
            document(check, json!({"NewPhotoUrl": url})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["Errors"][0]["Message"],
        "could not be fetched: there is no such upload"
    );
    let unknown = format!(
        "{}/api/uploads/00000000-0000-0000-0000-000000000000.png",
        server.url
    );
    let (status, answer) = server
        .post(
            DOCUMENTS,
            &member,
            document(check, json!({"NewDocumentUrl": unknown})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["Errors"][0]["PropertyName"], "NewDocumentUrl");
}

#[tokio::test]
async fn uploads_obey_the_file_rules() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "File: is an empty file",
        ),
        (
            b"just some text, a few bytes long".to_vec(),
            StatusCode::BAD_REQUEST,
            "File: is not an accepted file type (JPEG, PNG, WebP or PDF)",
        ),
        (
            b"GIF89a".to_vec(),
            StatusCode::BAD_REQUEST,
            "File: is not an accepted file type (JPEG, PNG, WebP or PDF)",
        ),
        (
            jpeg(10 * 1024 * 1024 + 1),
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is larger than the 10 MB limit.",
        ),
    ];
    for (bytes, expected, message) in cases {
        let response = server
            .request(Method::POST, "/api/uploads", Some(&member))
            .body(bytes)
            .send()
            .await
            .unwrap();
        let (status, answer) = answer(response).await;
        assert_eq!(status, expected, "{answer}");
        assert_eq!(answer["Message"], message);
        assert_eq!(answer["WasSuccessful"], false);
    }
    // However small, a real image (or a PDF) is taken; exactly 10 MB too.
    for bytes in [
        jpeg(50),
        webp(10 * 1024 * 1024),
        b"%PDF-1.4\n%%EOF\n".to_vec(),
    ] {
        let size = bytes.len();
        let response = server
            .request(Method::POST, "/api/uploads", Some(&member))
            .body(bytes)
            .send()
            .await
            .unwrap();
        let (status, answer) = answer(response).await;
        assert_eq!(status, StatusCode::OK, "{size} bytes: {answer}");
        assert_eq!(answer["Size"], size);
    }
}

#[tokio::test]
async fn download_errors_are_404s() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let check = server.create_check(&member, identity_check(1)).await;
    let id = server
        .create_document(
            &member,
            document(
                check,
                json!({"NewPhotoUrl": data_url("image/jpeg", &jpeg(300))}),
            ),
        )
        .await;
    for path in [
        format!("{DOCUMENTS}/{id}/files/document"),
        format!("{DOCUMENTS}/{id}/files/selfie"),
        format!("{DOCUMENTS}/9999/files/photo"),
        format!("{DOCUMENTS}/abc/files/photo"),
    ] {
        let (status, answer) = server.get(&path, &member).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer["WasSuccessful"], false);
    }
    let (status, _, _) = download(&server, &member, id, "PHOTO").await;
    assert_eq!(status, StatusCode::OK, "slot names are case-insensitive");
}

#[tokio::test]
async fn a_put_clears_and_replaces_files() {
    let server = Server::start().await;
    let member = server.token("member").await;
    let reviewer = server.token("reviewer").await;
    let check = server.create_check(&member, address_check(4)).await;
    let id = server
        .create_document(
            &member,
            document(check, json!({"NewDocumentUrl": data_url("image/png", &png(400)), "NewAdditionalDocumentUrl": data_url("image/png", &png(500))})),
        )
        .await;
    let mut record = server.document(&reviewer, id).await;
    let old_front = record["DocumentFileName"].as_str().unwrap().to_string();
    record["ClearAdditionalDocumentFile"] = json!(true);
    record["NewDocumentUrl"] = json!(data_url("image/jpeg", &jpeg(700)));
    let (status, answer) = server.put(DOCUMENTS, &reviewer, record).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["Message"],
        "CoworkerIdentityCheckDocument was successfully updated."
    );
    let record = server.document(&reviewer, id).await;
    assert_eq!(record["AdditionalDocumentFileName"], Value::Null);
    let new_front = record["DocumentFileName"].as_str().unwrap();
    assert_ne!(new_front, old_front);
    assert!(new_front.ends_with(".jpg"));
    let (status, _, _) = download(&server, &reviewer, id, "additionaldocument").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mime, bytes) = download(&server, &reviewer, id, "document").await;
    assert_eq!((mime.as_str(), bytes), ("image/jpeg", jpeg(700)));
}
