//! The whole flow in headless Chromium against the local server, with a fake camera showing a
//! synthetic ID card: a passport, a driving licence and a proof of address. After each, the records
//! are read back through the API and checked field by field, file by file.

use idcheck_e2e::member::*;
use idcheck_e2e::pictures::{Card, jpeg_size};
use idcheck_e2e::{ApiServer, Browser, DESKTOP, PHONE, scratch};
use serde_json::{Value, json};

/// The camera shows 1280×720 frames and the page asks for at most 800 px: stored images are JPEGs
/// of at most 800 px, cut out of the frame (to the guide, or the document found in it).
const CAMERA: (u32, u32) = (1280, 720);
const MAX_SIDE: u32 = 800;

fn camera_file(test: &str) -> std::path::PathBuf {
    Card::new(CAMERA.0, CAMERA.1).write_y4m(&scratch(test).join("card.y4m"))
}

/// Reads the check and its document back and compares them with what the member entered.
async fn assert_records(
    server: &ApiServer,
    (check_id, document_id): (i64, i64),
    expected_check: Value,
    files: [bool; 3],
) -> Value {
    let check = server
        .get_json(&format!("/api/spaces/coworkeridentitychecks/{check_id}"))
        .await;
    for (field, value) in expected_check.as_object().expect("an object") {
        assert_eq!(&check[field], value, "check field {field}: {check}");
    }
    assert_eq!(check["BusinessId"], 1);
    assert_eq!(check["CoworkerId"], 1);
    assert_eq!(
        check["VerificationStatus"], 2,
        "a complete document makes the check Submitted"
    );

    let document = server
        .get_json(&format!(
            "/api/spaces/coworkeridentitycheckdocuments/{document_id}"
        ))
        .await;
    assert_eq!(document["CoworkerIdentityCheckId"], check_id);
    assert_eq!(document["CoworkerId"], 1);
    let slots = [
        ("PhotoFileName", "photo"),
        ("DocumentFileName", "document"),
        ("AdditionalDocumentFileName", "additionaldocument"),
    ];
    for ((field, route), present) in slots.into_iter().zip(files) {
        assert_eq!(document[field].is_string(), present, "{field}: {document}");
        if present {
            let bytes = server
                .get_bytes(&format!(
                    "/api/spaces/coworkeridentitycheckdocuments/{document_id}/files/{route}"
                ))
                .await;
            let (width, height) =
                jpeg_size(&bytes).unwrap_or_else(|| panic!("{field} is not a JPEG"));
            assert!(
                width.max(height) <= MAX_SIDE,
                "{field} is {width}×{height}, longer than {MAX_SIDE}"
            );
            let whole = CAMERA.0 as f32 / CAMERA.1 as f32;
            assert!(
                (width as f32 / height as f32 - whole).abs() > 0.1,
                "{field} is {width}×{height}: the whole frame, not cut out of it"
            );
        }
    }
    check
}

#[tokio::test]
async fn a_passport_check_with_face_and_front() {
    let server = ApiServer::start(&["--fault-injection"]).await;
    let browser = Browser::start(DESKTOP, Some(&camera_file("passport"))).await;
    let url = server
        .page("&uploads=server&image-max=800&poll-seconds=1")
        .await;
    let name = "desktop";

    browser.consent(&url, name).await;
    browser
        .choose(PURPOSE, "purpose", name, ("purpose", "identity"))
        .await;
    browser
        .passport(
            &Details {
                number: "PA1234567",
                issued_by: "Kingdom of Spain",
                expires: "2031-03-15",
            },
            name,
        )
        .await;
    let ids = browser.submit(name).await;

    let check = assert_records(
        &server,
        ids,
        json!({
            "VerificationType": 1,
            "IdentityDocumentType": 1,
            "IdentityDocumentNumber": "PA1234567",
            "IdentityDocumentIssuedBy": "Kingdom of Spain",
            "IdentityCheckProvider": 1,
        }),
        [true, true, false],
    )
    .await;
    assert!(
        check["IdentityDocumentExpirationDate"]
            .as_str()
            .unwrap_or("")
            .starts_with("2031-03-15"),
        "{check}"
    );
    browser
        .wait_for_text(".idcheck-status strong", "Submitted: waiting for review")
        .await;

    // A reviewer rejects it; the member sees the notes and sends new images for the same check.
    let mut rejected = check.clone();
    rejected["VerificationStatus"] = json!(4);
    rejected["LastError"] = json!("The photo of the front is blurred.");
    server
        .put_json("/api/spaces/coworkeridentitychecks", &rejected)
        .await;
    browser
        .wait_for_text(".idcheck-status strong", "Not accepted")
        .await;
    browser
        .wait_for_text(".idcheck-notes", "The photo of the front is blurred.")
        .await;
    browser.screenshot("desktop-failed").await;
    browser
        .wait_for_text(".idcheck-failure .idcheck-primary", "Send new images")
        .await;
    browser.click(".idcheck-failure .idcheck-primary").await;
    // The fake camera's frames are the refused ones byte for byte: the face photo is told so (and
    // may be kept), and the front is replaced with a new picture, uploaded (the very same two images
    // again would not be sent).
    browser.at_step(PHOTO, "photo-again", name).await;
    browser.press("Take photo").await;
    browser
        .wait_for_text(
            ".idcheck-capture-refused",
            "A reviewer already refused a document with this exact image. Take a new photo or \
             choose another file, unless you are sure this one was fine.",
        )
        .await;
    browser.press("Use this photo").await;
    browser.at_step(FRONT, "front-again", name).await;
    let new_front = Card::on_desk(CAMERA.0, CAMERA.1, 820.0, 660.0, 370.0)
        .write_png(&scratch("passport").join("front-again.png"));
    browser.upload(&new_front).await;
    browser
        .wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
        .await;
    assert_eq!(
        browser
            .js("document.querySelectorAll('.idcheck-capture-refused').length")
            .await,
        0,
        "a new picture is not one the reviewer refused"
    );
    browser.press("Use this photo").await;
    let (check_again, document_again) = browser.submit("desktop-again").await;
    assert_eq!(check_again, ids.0, "new images go to the same check");
    assert_ne!(document_again, ids.1, "as a new document record");
    let check = server
        .get_json(&format!("/api/spaces/coworkeridentitychecks/{}", ids.0))
        .await;
    assert_eq!(check["VerificationStatus"], 2);
    browser.close().await;
}

#[tokio::test]
async fn a_driving_licence_check_with_face_front_and_back() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, Some(&camera_file("licence"))).await;
    let url = server.page("&uploads=inline&image-max=800").await;
    let name = "phone";

    browser.consent(&url, name).await;
    browser
        .choose(PURPOSE, "purpose", name, ("purpose", "identity"))
        .await;
    browser
        .choose(IDENTITY_DOCUMENT, "document", name, ("document", "2"))
        .await;
    browser
        .fill_details(
            &Details {
                number: "DL-99 2041",
                issued_by: "DVLA",
                expires: "2029-12-31",
            },
            name,
        )
        .await;
    browser.capture(PHOTO, "photo", name).await;
    browser.capture(FRONT, "front", name).await;
    browser.capture(BACK, "back", name).await;
    let ids = browser.submit(name).await;

    assert_records(
        &server,
        ids,
        json!({
            "VerificationType": 1,
            "IdentityDocumentType": 2,
            "IdentityDocumentNumber": "DL-99 2041",
            "IdentityDocumentIssuedBy": "DVLA",
        }),
        [true, true, true],
    )
    .await;
    browser.close().await;
}

#[tokio::test]
async fn a_proof_of_address_check_with_its_front() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(DESKTOP, Some(&camera_file("address"))).await;
    let url = server.page("&uploads=server&image-max=800").await;
    let name = "desktop";

    browser.consent(&url, &format!("{name}-address")).await;
    browser
        .choose(PURPOSE, "purpose-address", name, ("purpose", "address"))
        .await;
    browser
        .choose(
            ADDRESS_DOCUMENT,
            "document-address",
            name,
            ("document", "4"),
        )
        .await;
    browser.capture(FRONT, "front-address", name).await;
    // The back of an address document is optional: look at the step, then skip it.
    browser.at_step(BACK, "back", name).await;
    browser
        .wait_for_text(".idcheck-note", "The back is optional for this document.")
        .await;
    browser.click("button.idcheck-skip").await;
    let ids = browser.submit(&format!("{name}-address")).await;

    let check = assert_records(
        &server,
        ids,
        json!({ "VerificationType": 2, "AddressDocumentType": 4 }),
        [false, true, false],
    )
    .await;
    assert_eq!(check["IdentityDocumentNumber"], Value::Null);
    browser.close().await;
}

#[tokio::test]
async fn both_checks_one_after_the_other() {
    let server = ApiServer::start(&[]).await;
    let browser = Browser::start(PHONE, Some(&camera_file("both"))).await;
    let url = server
        .page("&verify=both&uploads=server&image-max=800")
        .await;
    let name = "phone-both";

    browser.consent(&url, name).await;
    browser
        .passport(
            &Details {
                number: "B1234567",
                issued_by: "Both Office",
                expires: "2030-02-02",
            },
            name,
        )
        .await;
    let (identity_check, _) = browser.submit(name).await;

    // The address check follows, with the same consent.
    browser
        .wait_for_text(
            ".idcheck-submitted .idcheck-primary",
            "Continue with your address",
        )
        .await;
    browser.click(".idcheck-submitted .idcheck-primary").await;
    browser
        .choose(
            ADDRESS_DOCUMENT,
            "document-address",
            name,
            ("document", "5"),
        )
        .await;
    browser.capture(FRONT, "front-address", name).await;
    browser.at_step(BACK, "back-address", name).await;
    browser.click("button.idcheck-skip").await;
    let ids = browser.submit(&format!("{name}-address")).await;
    assert_ne!(ids.0, identity_check);

    let identity = server
        .get_json(&format!(
            "/api/spaces/coworkeridentitychecks/{identity_check}"
        ))
        .await;
    assert_eq!(identity["VerificationType"], 1);
    assert_records(
        &server,
        ids,
        json!({ "VerificationType": 2, "AddressDocumentType": 5 }),
        [false, true, false],
    )
    .await;
    browser.close().await;
}
