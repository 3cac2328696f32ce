//! A member's moves through the component, written once for every end-to-end test: each helper
//! waits for the screen it expects, acts like a person would (clicks, typing, choosing files) and
//! takes the step's screenshot.

use std::path::Path;
use std::time::Duration;

use fantoccini::Locator;

use crate::Browser;

/// The headings of the steps, as an English-speaking member reads them.
pub const WELCOME: &str = "Verify your identity";
/// The welcome of a host that asks only for a proof of address.
pub const WELCOME_ADDRESS: &str = "Confirm your address";
pub const PURPOSE: &str = "What do you need to verify?";
pub const IDENTITY_DOCUMENT: &str = "Which identity document will you use?";
pub const ADDRESS_DOCUMENT: &str = "Which document shows your address?";
pub const DETAILS: &str = "Your document's details";
pub const PHOTO: &str = "Take a photo of your face";
pub const FRONT: &str = "Photograph the front of your document";
pub const BACK: &str = "Photograph the back of your document";
pub const REVIEW: &str = "Check and send";
pub const SUBMITTED: &str = "Thank you, your documents were sent";

/// The details a member types.
pub struct Details<'a> {
    pub number: &'a str,
    pub issued_by: &'a str,
    pub expires: &'a str,
}

impl Browser {
    /// Waits for a step's heading, then saves its screenshot as `NAME-LABEL.png`.
    pub async fn at_step(&self, heading: &str, label: &str, name: &str) {
        self.wait_for_text("h1", heading).await;
        // Let the camera's first frames and the layout settle before the picture is taken.
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.screenshot(&format!("{name}-{label}")).await;
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|err| panic!("clicking `{css}`: {err}"));
    }

    /// Clicks the step's main button once it reads `label`.
    pub async fn press(&self, label: &str) {
        self.wait_for_text(".idcheck-nav .idcheck-primary", label)
            .await;
        self.click(".idcheck-nav .idcheck-primary").await;
    }

    /// Types into a field the way a keyboard does, replacing what was there.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("the field can be cleared");
        field.send_keys(text).await.expect("typing");
    }

    /// Sets a date input (its typed form depends on the browser's locale) and leaves the field.
    pub async fn set_date(&self, css: &str, iso: &str) {
        let css = self.scoped(css);
        let css = css.as_str();
        let script = "const field = document.querySelector(arguments[0]); field.focus(); \
                      field.value = arguments[1]; field.dispatchEvent(new Event('input', {bubbles: true})); \
                      field.blur();";
        self.client
            .execute(script, vec![css.into(), iso.into()])
            .await
            .expect("the date is set");
    }

    /// Picks a file in the step's upload control.
    pub async fn upload(&self, file: &Path) {
        let input = self
            .client
            .find(Locator::Css(&self.scoped("input[type=file]")))
            .await
            .expect("the upload control is there");
        input
            .send_keys(&file.display().to_string())
            .await
            .expect("the file is chosen");
    }

    /// The text the step's alerts show.
    pub async fn alerts(&self) -> String {
        let mut texts = Vec::new();
        for alert in self
            .client
            .find_all(Locator::Css(&self.scoped("[role=alert]")))
            .await
            .unwrap_or_default()
        {
            texts.push(alert.text().await.unwrap_or_default());
        }
        texts.join(" ").trim().to_string()
    }

    /// Opens the page and agrees on the welcome screen.
    pub async fn consent(&self, url: &str, name: &str) {
        self.client.goto(url).await.expect("the page opens");
        self.agree(name).await;
    }

    /// Agrees on the welcome screen (whichever purpose it introduces).
    pub async fn agree(&self, name: &str) {
        self.find("input[name=consent]").await;
        self.screenshot(&format!("{name}-welcome")).await;
        self.click("input[name=consent]").await;
        self.press("Continue").await;
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    pub async fn js(&self, expression: &str) -> serde_json::Value {
        self.client
            .execute(&format!("return {expression};"), Vec::new())
            .await
            .unwrap_or_else(|err| panic!("evaluating `{expression}`: {err}"))
    }

    /// Chooses a radio option (`name`, `value`) and continues.
    pub async fn choose(&self, heading: &str, label: &str, name: &str, option: (&str, &str)) {
        self.at_step(heading, label, name).await;
        self.click(&format!("input[name={}][value=\"{}\"]", option.0, option.1))
            .await;
        self.press("Continue").await;
    }

    pub async fn fill_details(&self, details: &Details<'_>, name: &str) {
        self.at_step(DETAILS, "details", name).await;
        // By name, not id: ids differ between instances on one page.
        self.type_into("input[name=IdentityDocumentNumber]", details.number)
            .await;
        self.type_into("input[name=IdentityDocumentIssuedBy]", details.issued_by)
            .await;
        self.set_date(
            "input[name=IdentityDocumentExpirationDate]",
            details.expires,
        )
        .await;
        self.press("Continue").await;
    }

    /// A passport check from its document-type step to its review step: choose the passport, type
    /// `details`, take the face photo and the front with the camera.
    pub async fn passport(&self, details: &Details<'_>, name: &str) {
        self.choose(IDENTITY_DOCUMENT, "document", name, ("document", "1"))
            .await;
        self.fill_details(details, name).await;
        self.capture(PHOTO, "photo", name).await;
        self.capture(FRONT, "front", name).await;
    }

    /// A proof-of-address check from its welcome step to the thank-you: a utility bill, its front
    /// with the camera, no back. The quickest complete flow.
    pub async fn address_check(&self, name: &str) -> (i64, i64) {
        self.agree(name).await;
        self.choose(ADDRESS_DOCUMENT, "document", name, ("document", "4"))
            .await;
        self.capture(FRONT, "front", name).await;
        self.at_step(BACK, "back", name).await;
        self.click("button.idcheck-skip").await;
        self.submit(name).await
    }

    /// Takes the slot's photo with the camera, looks at it, and uses it.
    pub async fn capture(&self, heading: &str, label: &str, name: &str) {
        self.at_step(heading, label, name).await;
        self.press("Take photo").await;
        self.wait_for_text(".idcheck-nav .idcheck-primary", "Use this photo")
            .await;
        self.screenshot(&format!("{name}-{label}-review")).await;
        self.press("Use this photo").await;
    }

    /// Sends the check from the review step and waits for the thank-you screen.
    pub async fn submit(&self, name: &str) -> (i64, i64) {
        self.at_step(REVIEW, "review", name).await;
        self.press("Send for review").await;
        self.submit_finished(name).await
    }

    /// Waits for the thank-you screen after a submission that was already started.
    pub async fn submit_finished(&self, name: &str) -> (i64, i64) {
        self.at_step(SUBMITTED, "submitted", name).await;
        self.record_ids().await
    }

    /// The check and document ids the thank-you screen shows ("Check 12, document 34").
    pub async fn record_ids(&self) -> (i64, i64) {
        let text = self
            .find(".idcheck-records")
            .await
            .text()
            .await
            .expect("the ids");
        let numbers: Vec<i64> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|part| part.parse().ok())
            .collect();
        match numbers[..] {
            [check, document] => (check, document),
            _ => panic!("the thank-you screen shows no record ids: {text:?}"),
        }
    }
}
