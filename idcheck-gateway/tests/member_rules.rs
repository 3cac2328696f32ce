//! The member rules of idcheck-core, applied by the gateway before anything reaches Nexudus: the
//! fields a check's type requires, an expiry ahead, every image a document needs, images of at
//! least 100 bytes, and images only from the gateway's own uploads (the gateway never makes
//! Nexudus, or itself, fetch a URL a member picked).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::*;
use idcheck_core::files::{FileType, ImageType, to_data_url};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_check_missing_what_its_type_requires_or_with_a_past_expiry_is_refused() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;

    let bare = gateway
        .post(
            CHECKS,
            &ana,
            json!({"Name": "Identity check", "VerificationType": 1}),
        )
        .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST, "{bare}");
    assert_eq!(bare.json["WasSuccessful"], json!(false), "{bare}");
    let named = bare.error_properties();
    let message = bare.json["Message"].as_str().unwrap_or_default();
    for property in [
        "IdentityDocumentType",
        "IdentityDocumentNumber",
        "IdentityDocumentIssuedBy",
        "IdentityDocumentExpirationDate",
    ] {
        assert!(named.iter().any(|p| p == property), "{property}: {bare}");
        assert!(
            message.contains(property),
            "{property} in the message: {bare}"
        );
    }

    let address = gateway
        .post(
            CHECKS,
            &ana,
            json!({"Name": "Proof of address", "VerificationType": 2}),
        )
        .await;
    assert_eq!(address.status, StatusCode::BAD_REQUEST, "{address}");
    assert_eq!(
        address.error_properties(),
        ["AddressDocumentType"],
        "{address}"
    );

    let mut expired = passport_check();
    expired["IdentityDocumentExpirationDate"] = json!("2001-01-01");
    let expired = gateway.post(CHECKS, &ana, expired).await;
    assert_eq!(expired.status, StatusCode::BAD_REQUEST, "{expired}");
    assert_eq!(
        expired.error_properties(),
        ["IdentityDocumentExpirationDate"],
        "{expired}"
    );

    // None of them reached the double (which, like Nexudus, would store a bare check).
    assert!(
        double.records(CHECKS, "").await.is_empty(),
        "a refused check was stored"
    );
    assert!(
        !double
            .recorder
            .seen()
            .iter()
            .any(|s| s.method == "POST" && s.path.starts_with(CHECKS)),
        "a refused check was sent upstream"
    );
}

#[tokio::test]
async fn a_document_needs_every_image_of_its_checks_type_each_of_100_bytes_or_more() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let passport = gateway.create_check(&ana, passport_check()).await;
    let mut id_card = passport_check();
    id_card["IdentityDocumentType"] = json!(3);
    let id_card = gateway.create_check(&ana, id_card).await;
    let photo = gateway.upload(&ana, jpeg(1)).await;
    let front = gateway.upload(&ana, jpeg(2)).await;

    let cases = [
        (
            "no face photo",
            document(passport, None, Some(&front)),
            vec!["NewPhotoUrl"],
        ),
        (
            "no front",
            document(passport, Some(&photo), None),
            vec!["NewDocumentUrl"],
        ),
        (
            "no image",
            document(passport, None, None),
            vec!["NewPhotoUrl", "NewDocumentUrl"],
        ),
        (
            "an ID card without its back",
            document(id_card, Some(&photo), Some(&front)),
            vec!["NewAdditionalDocumentUrl"],
        ),
    ];
    for (label, body, expected) in cases {
        let refused = gateway.post(DOCUMENTS, &ana, body).await;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{label}: {refused}"
        );
        assert_eq!(refused.error_properties(), expected, "{label}: {refused}");
    }

    // Under 100 bytes: a real JPEG's first 99 bytes, uploaded or inline.
    let small = jpeg(3)[..99].to_vec();
    let upload = gateway.upload_answer(&ana, small.clone()).await;
    assert_eq!(upload.status, StatusCode::BAD_REQUEST, "{upload}");
    assert!(upload.json["Url"].is_null(), "{upload}");
    let inline = to_data_url(ImageType::Jpeg, &small);
    let refused = gateway
        .post(
            DOCUMENTS,
            &ana,
            document(passport, Some(&inline), Some(&front)),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused.error_properties(), ["NewPhotoUrl"], "{refused}");
    // The same image at 100 bytes and more is taken inline (a control for the case above).
    let inline = to_data_url(ImageType::Jpeg, &jpeg(3));
    gateway
        .create_document(&ana, document(passport, Some(&inline), Some(&front)))
        .await;

    let documents = double.records(DOCUMENTS, "").await;
    assert_eq!(
        documents.len(),
        1,
        "only the complete document: {documents:?}"
    );
}

/// A small, complete PDF of `pages` pages, as a bank's statement export might be.
fn pdf(pages: usize) -> Vec<u8> {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", i + 3)).collect();
    let mut out = format!(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [{}] /Count {pages} >> endobj\n",
        kids.join(" ")
    );
    for i in 0..pages {
        out.push_str(&format!(
            "{} 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n",
            i + 3
        ));
    }
    out.push_str("trailer << /Root 1 0 R >>\n%%EOF\n");
    out.into_bytes()
}

#[tokio::test]
async fn a_pdf_is_taken_for_an_address_documents_pages_and_nowhere_else() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let ana = gateway.mint(1, 1).await;
    let bill = pdf(2);

    // An upload does not say its slot: a PDF is kept, with its type.
    let upload = gateway.upload_answer(&ana, bill.clone()).await;
    assert_eq!(upload.status, StatusCode::OK, "{upload}");
    assert_eq!(
        upload.json["ContentType"],
        json!("application/pdf"),
        "{upload}"
    );
    let uploaded = upload.json["Url"].as_str().unwrap().to_string();

    // An identity document's front must be a photo: the PDF is refused, uploaded or inline.
    let passport = gateway.create_check(&ana, passport_check()).await;
    let photo = gateway.upload(&ana, jpeg(1)).await;
    let inline = to_data_url(FileType::Pdf, &bill);
    for front in [&uploaded, &inline] {
        let refused = gateway
            .post(
                DOCUMENTS,
                &ana,
                document(passport, Some(&photo), Some(front)),
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{refused}");
        assert_eq!(refused.error_properties(), ["NewDocumentUrl"], "{refused}");
        assert!(
            refused
                .text()
                .contains("is a PDF, which only an address document"),
            "{refused}"
        );
    }

    // A proof of address takes it as its front, and gives the very same file back.
    let lease = gateway
        .create_check(
            &ana,
            json!({"Name": "Proof of address", "VerificationType": 2, "AddressDocumentType": 4}),
        )
        .await;
    let mut body = json!({
        "CoworkerIdentityCheckId": lease,
        "Name": "LeaseRentalAgreement",
        "NewDocumentUrl": uploaded,
        "Notes": "Submitted by the member with idcheck (reference r-1, attempt 1)\n\
                  Quality: front uploaded (not analysed)",
    });
    let document_id = gateway.create_document(&ana, body.clone()).await;
    let stored = gateway
        .get(&format!("{DOCUMENTS}/{document_id}"), &ana)
        .await;
    assert_eq!(
        stored.json["Notes"], body["Notes"],
        "the notes as written: {stored}"
    );
    let file = gateway
        .get(&format!("{DOCUMENTS}/{document_id}/files/document"), &ana)
        .await;
    assert_eq!(file.status, StatusCode::OK, "{file}");
    assert_eq!(file.bytes, bill);
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".pdf\""),
        "{:?}",
        file.headers
    );

    // Inline too, as its back (more pages), on another address check.
    let second = gateway
        .create_check(
            &ana,
            json!({"Name": "Proof of address", "VerificationType": 2, "AddressDocumentType": 99}),
        )
        .await;
    body["CoworkerIdentityCheckId"] = json!(second);
    body["NewDocumentUrl"] = json!(to_data_url(ImageType::Jpeg, &jpeg(4)));
    body["NewAdditionalDocumentUrl"] = json!(inline);
    gateway.create_document(&ana, body).await;
}

/// A loopback listener that counts the connections made to it, and answers none.
struct Canary {
    url: String,
    connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Canary {
    async fn start() -> Canary {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Canary {
            url,
            connections,
            task,
        }
    }
}

impl Drop for Canary {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn an_image_url_that_is_not_the_gateways_own_upload_is_refused_and_never_fetched() {
    let double = Double::start().await;
    let gateway = Gateway::start(&double).await;
    let canary = Canary::start().await;
    let ana = gateway.mint(1, 1).await;
    let check = gateway.create_check(&ana, passport_check()).await;
    let photo = gateway.upload(&ana, jpeg(1)).await;
    let name = photo
        .rsplit('/')
        .next()
        .expect("an upload name")
        .to_string();
    let gateway_port = gateway.url.rsplit(':').next().expect("a port").to_string();

    let elsewhere = [
        format!("{}/x.jpg", canary.url),
        "http://127.0.0.1:1/x.jpg".to_string(),
        // The gateway's upload path, at another host.
        format!("{}/api/uploads/{name}", canary.url),
        // The gateway itself, under another name than its public address.
        format!("http://localhost:{gateway_port}/api/uploads/{name}"),
        // The double's own upload route.
        format!("{}/api/uploads/{name}", double.url),
        format!("{}/api/uploads/../../x.jpg", gateway.url),
        "file:///etc/passwd".to_string(),
        "ftp://127.0.0.1/x.jpg".to_string(),
    ];
    for url in &elsewhere {
        for property in ["NewPhotoUrl", "NewDocumentUrl"] {
            let mut body = document(check, Some(&photo), Some(&photo));
            body[property] = json!(url);
            let refused = gateway.post(DOCUMENTS, &ana, body).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{url}: {refused}");
            assert_eq!(refused.error_properties(), [property], "{url}: {refused}");
        }
    }
    // Anything fetched would have connected by now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        canary.connections.load(Ordering::SeqCst),
        0,
        "a member's URL was fetched"
    );
    assert!(
        !double
            .recorder
            .seen()
            .iter()
            .any(|s| s.method == "POST" && s.path.starts_with(DOCUMENTS)),
        "a refused document was sent upstream"
    );
    assert!(double.records(DOCUMENTS, "").await.is_empty());
    assert_eq!(
        double.record(&format!("{CHECKS}/{check}")).await["VerificationStatus"],
        json!(1)
    );
}
