//! What a crafted address cannot do, in the shipped page: point the component at another API, or
//! leave the member's token where the history, the next page or a log would keep it. And the
//! headers every page the gateway serves carries. And a proof of address sent as a PDF, stored and
//! read back as that very file.

use idcheck_e2e::member::{ADDRESS_DOCUMENT, BACK, FRONT};
use idcheck_e2e::pictures::Card;
use idcheck_e2e::{ApiServer, Browser, PHONE, scratch};

#[tokio::test]
async fn a_crafted_address_neither_moves_the_api_nor_keeps_the_token() {
    let server = ApiServer::start(&[]).await;
    let camera = Card::new(1280, 720).write_y4m(&scratch("address").join("card.y4m"));
    let browser = Browser::start(PHONE, Some(&camera)).await;
    // A link someone else made: their API, and the member's token where it does not belong.
    let url = server
        .page("&verify=address&uploads=server&image-max=800&api=https%3A%2F%2Felsewhere.example%2Fapi")
        .await;
    let token = url
        .split("#token=")
        .nth(1)
        .expect("the page URL has a token")
        .to_string();
    browser.client.goto(&url).await.expect("the page opens");

    // The component still talks to its own API: the whole check completes there.
    browser.find("input[name=consent]").await;
    let address = browser.js("location.href").await;
    let address = address.as_str().unwrap();
    assert!(
        !address.contains(&token),
        "the token stayed in the address bar: {address}"
    );
    assert!(!address.contains("elsewhere"), "{address}");
    let (check, document) = browser.address_check("address").await;
    assert!(check > 0 && document > 0);
    let stored = server
        .get_json(&format!("/api/spaces/coworkeridentitychecks/{check}"))
        .await;
    assert_eq!(stored["CoworkerId"], 1, "{stored}");

    // The page carries the gateway's headers.
    let headers = browser
        .client
        .execute_async(
            "const done = arguments[0]; fetch(location.pathname).then((answer) => done({ \
               csp: answer.headers.get('content-security-policy'), \
               referrer: answer.headers.get('referrer-policy'), \
               sniff: answer.headers.get('x-content-type-options'), \
               permissions: answer.headers.get('permissions-policy') }), (error) => done(String(error)));",
            Vec::new(),
        )
        .await
        .expect("the page's headers");
    let csp = headers["csp"].as_str().unwrap_or_default();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "frame-ancestors",
    ] {
        assert!(csp.contains(part), "CSP lacks {part}: {headers}");
    }
    assert_eq!(headers["referrer"], "no-referrer", "{headers}");
    assert_eq!(headers["sniff"], "nosniff", "{headers}");
    assert!(
        headers["permissions"]
            .as_str()
            .unwrap_or_default()
            .contains("camera=(self)"),
        "{headers}"
    );

    // The next page the member opens from here learns nothing of this one.
    browser
        .client
        .execute(
            "const link = document.createElement('a'); link.href = '/portal/index.html'; \
             link.textContent = 'next'; document.body.append(link); link.click();",
            Vec::new(),
        )
        .await
        .expect("the link is followed");
    let mut referrer = serde_json::Value::Null;
    for _ in 0..50 {
        let at = browser.js("location.pathname").await;
        if at == "/portal/index.html" {
            referrer = browser.js("document.referrer").await;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(referrer, "", "the next page's referrer");
    browser.close().await;
}

/// A small, valid PDF of `pages` A4 pages, each with a line of text, with its cross-reference
/// table, as a bank's statement export might be.
fn statement(pages: usize) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            (0..pages)
                .map(|i| format!("{} 0 R", 4 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    for page in 0..pages {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * page
        ));
        let text = format!(
            "BT /F1 14 Tf 72 770 Td (Statement, page {}: 1 Example Street) Tj ET",
            page + 1
        );
        objects.push(format!(
            "<< /Length {} >>\nstream\n{text}\nendstream",
            text.len()
        ));
    }
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[tokio::test]
async fn a_proof_of_address_sent_as_a_pdf_is_stored_and_read_back_as_that_pdf() {
    let server = ApiServer::start(&[]).await;
    let folder = scratch("address-pdf");
    let camera = Card::new(1280, 720).write_y4m(&folder.join("card.y4m"));
    let pdf = statement(2);
    let file = folder.join("bank-statement.pdf");
    std::fs::write(&file, &pdf).expect("the PDF is written");
    let browser = Browser::start(PHONE, Some(&camera)).await;
    let url = server.page("&verify=address&uploads=server").await;
    browser.client.goto(&url).await.expect("the page opens");

    browser.agree("address-pdf").await;
    browser
        .choose(
            ADDRESS_DOCUMENT,
            "document",
            "address-pdf",
            ("document", "99"),
        )
        .await;
    browser.at_step(FRONT, "front", "address-pdf").await;
    browser.upload(&file).await;
    // Shown by its name, size and pages, never drawn.
    browser
        .wait_for_text(".idcheck-pdf-name", "bank-statement.pdf")
        .await;
    let facts = browser
        .find(".idcheck-pdf-facts")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        facts.starts_with("PDF document, ") && facts.ends_with("2 pages"),
        "{facts}"
    );
    browser.screenshot("address-pdf-front-review").await;
    browser.press("Use this file").await;
    browser.at_step(BACK, "back", "address-pdf").await;
    browser.click("button.idcheck-skip").await;
    let (check, document) = browser.submit("address-pdf").await;
    assert!(check > 0 && document > 0);

    // Stored as the member chose it, and the reviewer reads how it came.
    let record = server
        .get_json(&format!(
            "/api/spaces/coworkeridentitycheckdocuments/{document}"
        ))
        .await;
    assert!(
        record["DocumentFileName"]
            .as_str()
            .is_some_and(|name| name.ends_with(".pdf")),
        "{record}"
    );
    assert!(
        record["Notes"]
            .as_str()
            .is_some_and(|notes| notes.ends_with("\nQuality: front uploaded (not analysed)")),
        "{record}"
    );
    let stored = server
        .get_bytes(&format!(
            "/api/spaces/coworkeridentitycheckdocuments/{document}/files/document"
        ))
        .await;
    assert_eq!(stored, pdf, "the stored file is the PDF, byte for byte");
    browser.close().await;
}
