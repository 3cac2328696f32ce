//! What a crafted address cannot do, in the shipped page: point the component at another API, or
//! leave the member's token where the history, the next page or a log would keep it. And the
//! headers every page the gateway serves carries.

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
