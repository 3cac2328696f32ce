//! The Nexudus API as the component uses it: typed calls, and every failure turned into an
//! `ApiError` the views can explain in plain words. Throttling (HTTP 409 with `Retry-After`, as
//! Nexudus answers it) is waited out here, so callers never see it unless it persists; requests are
//! spaced to Nexudus' documented rate (one per 100 ms) so a normal visit is never throttled; every
//! request has a deadline, after which it is aborted and reported as lost. Redeeming an invitation
//! or a hand-off's code are the calls made without a token: they are how a member gets one.

use gloo_net::http::{Request, RequestBuilder, Response};
use idcheck_core::backoff;
use idcheck_core::flow::PurposeSetting;
use idcheck_core::masstack::{
    CancelIdentificationRequest, CreateIdentityDocumentIdentificationRequest, Identification,
};
use idcheck_core::model::{
    NewCoworkerIdentityCheck, NewCoworkerIdentityCheckDocument, VerificationStatus,
    VerificationType,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::config::Deadlines;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer arrived (offline, connection dropped). The request may or may not have been
    /// carried out.
    Network(String),
    /// The page was reloaded while a request was on its way: like a lost answer, its outcome is
    /// unknown.
    Interrupted,
    /// The API refused the data: one entry per property, as the API names them.
    Rejected(Vec<FieldError>),
    /// The token is missing, wrong or expired (401).
    Unauthorized,
    /// The token's user lacks a role (403).
    Forbidden(String),
    NotFound(String),
    /// Still throttled after waiting as asked.
    Throttled,
    /// The record's state forbids the change (HTTP 409 without `Retry-After`).
    Conflict(String),
    /// Too many wrong invitation codes from this device: no code is accepted for this long
    /// (HTTP 429 with `Retry-After`).
    LockedOut {
        retry_after_seconds: u32,
    },
    /// The server failed (5xx) or answered something unreadable.
    Server {
        status: u16,
        message: String,
    },
}

impl ApiError {
    /// Whether the server may have carried out the request although we got no success answer, so
    /// a retry must first look for what it wrote.
    pub fn is_ambiguous(&self) -> bool {
        matches!(
            self,
            ApiError::Network(_) | ApiError::Interrupted | ApiError::Server { .. }
        )
    }

    /// A stable name for the kind of failure, for the host's `idcheck:error` event.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Network(_) => "network",
            ApiError::Interrupted => "interrupted",
            ApiError::Rejected(_) => "rejected",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::Throttled => "throttled",
            ApiError::Conflict(_) => "conflict",
            ApiError::LockedOut { .. } => "locked-out",
            ApiError::Server { .. } => "server",
        }
    }

    /// For a lock-out, the whole minutes to wait (at least one), as the member is told them.
    pub fn locked_out_minutes(&self) -> Option<u32> {
        match self {
            ApiError::LockedOut {
                retry_after_seconds,
            } => Some(retry_after_seconds.div_ceil(60).max(1)),
            _ => None,
        }
    }
}

/// How many throttled answers are waited out before giving up.
const THROTTLE_RETRIES: u32 = 3;

/// The least time between two requests of one instance: Nexudus' one request per 100 ms, with a
/// margin for the time a request takes to reach it.
const PACE_MS: f64 = 120.0;

/// The most pages a look-up reads before it gives up (25 records each).
const MAX_PAGES: u32 = 40;

/// What a request is, for its deadline.
#[derive(Clone, Copy)]
enum Kind {
    Read,
    Write,
    Upload,
}

/// The API client of one mounted instance.
#[derive(Clone)]
pub struct Api {
    base: String,
    /// The bearer token in use: the configured one, or the provider's latest answer.
    token: Rc<RefCell<Option<String>>>,
    /// The host's function that hands out fresh tokens, so a portal never puts a long-lived token
    /// in its page.
    provider: Option<js_sys::Function>,
    deadlines: Deadlines,
    /// When the next request may leave (`Date.now()` milliseconds).
    next_send: Rc<Cell<f64>>,
}

/// One entry of an envelope's `Errors`: the property the API names and what it says of it.
/// MasStack's `ErrorsResponse` items (`field`, `message`) read into the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldError {
    #[serde(rename = "PropertyName", alias = "field")]
    pub property: String,
    #[serde(rename = "Message", alias = "message")]
    pub message: String,
}

/// The parts of the API's write envelope the component reads (`AttemptedValue` and the rest are
/// skipped: the member knows what they typed).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    value: Option<Created>,
    #[serde(default, alias = "errors")]
    errors: Option<Vec<FieldError>>,
    /// `false` means the write failed, whatever the HTTP status and even with an id.
    #[serde(default)]
    was_successful: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Created {
    id: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Uploaded {
    url: String,
}

/// The part of a check record the component reads back: its status, the reviewer's words, and the
/// free text that carries a submission's reference. Reading only these (serde skips the rest of
/// the record) keeps the shipped bundle small.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CheckState {
    pub id: i64,
    #[serde(default)]
    pub verification_type: VerificationType,
    #[serde(default)]
    pub verification_status: VerificationStatus,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// The part of a document record the component reads back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentState {
    pub id: i64,
    #[serde(default)]
    pub notes: Option<String>,
}

/// What redeeming an invitation hands over: a token for the member it names, who they are, what
/// the operator asked them to verify, and the checks the operator already requested (one per
/// purpose), to be filled in instead of created.
#[derive(Clone, PartialEq)]
pub struct Redeemed {
    pub token: String,
    pub coworker_id: i64,
    pub business_id: i64,
    /// The invitation's `Verify`: identity, address or both.
    pub verify: PurposeSetting,
    /// `(Id, VerificationType)` of each requested check.
    pub checks: Vec<(i64, VerificationType)>,
}

/// Everything but the token, so a stray `{:?}` never prints it.
impl std::fmt::Debug for Redeemed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redeemed")
            .field("coworker_id", &self.coworker_id)
            .field("business_id", &self.business_id)
            .field("verify", &self.verify)
            .field("checks", &self.checks)
            .finish_non_exhaustive()
    }
}

/// The answer of `POST {api}/invitations/redeem`, as the gateway sends it.
#[derive(Deserialize)]
struct RedeemAnswer {
    access_token: String,
    #[serde(rename = "CoworkerId")]
    coworker_id: i64,
    #[serde(rename = "BusinessId")]
    business_id: i64,
    #[serde(rename = "Verify")]
    verify: String,
    #[serde(rename = "Checks", default)]
    checks: Vec<RequestedCheck>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RequestedCheck {
    id: i64,
    verification_type: VerificationType,
}

/// A hand-off the gateway made (`POST {api}/handoffs`): the link for the phone, the short code to
/// type instead, and how long both last. The link carries a single-use secret after its `#`, so it
/// is shown to the member and never written anywhere else.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Handoff {
    pub id: String,
    pub url: String,
    pub code: String,
    pub expires_in_seconds: u32,
}

/// Everything but the link and the code, so a stray `{:?}` never prints them.
impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("id", &self.id)
            .field("expires_in_seconds", &self.expires_in_seconds)
            .finish_non_exhaustive()
    }
}

/// Where a hand-off stands, as the gateway says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum HandoffState {
    /// Not opened yet, and still valid.
    Waiting,
    /// Opened on the phone.
    Opened,
    /// The phone sent its document.
    Submitted,
    /// Never opened, and past its time.
    Expired,
    /// Taken back.
    Cancelled,
    /// A state this component does not know yet: nothing to do but keep asking.
    #[serde(other)]
    Unknown,
}

/// A hand-off as the laptop follows it (`GET {api}/handoffs/{Id}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HandoffStatus {
    pub state: HandoffState,
    /// The check and document the phone sent, once `Submitted`.
    #[serde(default)]
    pub check_id: Option<i64>,
    #[serde(default)]
    pub document_id: Option<i64>,
}

/// What redeeming a hand-off's code hands the phone: a token of the member, who they are, and the
/// progress the other device sent along (as it sent it).
#[derive(Clone, PartialEq)]
pub struct HandedOver {
    pub token: String,
    pub coworker_id: i64,
    pub business_id: i64,
    pub progress: Option<serde_json::Value>,
}

/// Everything but the token.
impl std::fmt::Debug for HandedOver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandedOver")
            .field("coworker_id", &self.coworker_id)
            .field("business_id", &self.business_id)
            .finish_non_exhaustive()
    }
}

/// The answer of `POST {api}/handoffs/redeem`.
#[derive(Deserialize)]
struct HandedOverAnswer {
    access_token: String,
    #[serde(rename = "CoworkerId")]
    coworker_id: i64,
    #[serde(rename = "BusinessId")]
    business_id: i64,
    #[serde(rename = "Progress", default)]
    progress: Option<serde_json::Value>,
}

/// A record to update: its fields, with the `Id` that names it (`PUT` bodies carry it).
#[derive(Serialize)]
struct WithId<'a, T> {
    #[serde(rename = "Id")]
    id: i64,
    #[serde(flatten)]
    record: &'a T,
}

/// The records of a list envelope, with whether more pages follow.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Records<T> {
    records: Vec<T>,
    #[serde(default)]
    has_next_page: bool,
}

impl Api {
    pub fn new(
        base: impl Into<String>,
        token: impl Into<String>,
        provider: Option<js_sys::Function>,
    ) -> Api {
        let token = token.into();
        Api {
            base: base.into(),
            token: Rc::new(RefCell::new((!token.is_empty()).then_some(token))),
            provider,
            deadlines: Deadlines::default(),
            next_send: Rc::new(Cell::new(0.0)),
        }
    }

    /// The same client with these deadlines.
    pub fn with_deadlines(mut self, deadlines: Deadlines) -> Api {
        self.deadlines = deadlines;
        self
    }

    fn deadline_ms(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Read => self.deadlines.read_ms,
            Kind::Write => self.deadlines.write_ms,
            Kind::Upload => self.deadlines.upload_ms,
        }
    }

    /// Waits for this instance's next turn to send, so requests leave at Nexudus' pace.
    async fn pace(&self) {
        let now = js_sys::Date::now();
        let turn = self.next_send.get().max(now);
        self.next_send.set(turn + PACE_MS);
        if turn > now {
            crate::browser::sleep_ms((turn - now).ceil() as u32).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The token to send: the current one, or (when there is none, or `fresh` after a 401) the
    /// provider's answer. The provider may return the token or a promise of it.
    async fn bearer(&self, fresh: bool) -> Result<String, ApiError> {
        if !fresh && let Some(token) = self.token.borrow().clone() {
            return Ok(token);
        }
        let Some(provider) = &self.provider else {
            return self.token.borrow().clone().ok_or(ApiError::Unauthorized);
        };
        let answer = provider
            .call0(&JsValue::NULL)
            .map_err(|_| ApiError::Unauthorized)?;
        let answer = match answer.dyn_into::<js_sys::Promise>() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .map_err(|_| ApiError::Unauthorized)?,
            Err(value) => value,
        };
        let token = answer
            .as_string()
            .filter(|token| !token.trim().is_empty())
            .ok_or(ApiError::Unauthorized)?;
        *self.token.borrow_mut() = Some(token.clone());
        Ok(token)
    }

    /// Forgets the token, so nothing of a member's session stays in memory after a reset.
    pub fn forget_token(&self) {
        self.token.borrow_mut().take();
    }

    /// Exchanges an invitation code (any case, spaces and dashes ignored) for a member token
    /// (`POST {api}/invitations/redeem`, without `Authorization`), and from then on sends that token. Meant for an `Api` made without a token
    /// provider: a provider's tokens are for the host's member, not the invited one.
    ///
    /// A wrong, used or expired code is `ApiError::Rejected` (on `Code`); too many wrong codes are
    /// `ApiError::LockedOut`.
    pub async fn redeem_invitation(&self, code: &str) -> Result<Redeemed, ApiError> {
        let url = self.url("/invitations/redeem");
        // Sent as the gateway stores it; what cannot be a code is sent as typed, to be refused.
        let code = crate::config::invitation_code(code).unwrap_or_else(|| code.trim().to_string());
        let body = serde_json::json!({ "Code": code });
        let deadline = Deadline::start(self.deadline_ms(Kind::Write));
        let request = Request::post(&url)
            .abort_signal(deadline.signal())
            .json(&body)
            .map_err(|err| ApiError::Network(err.to_string()))?;
        let response = request.send().await.map_err(|err| deadline.lost(err))?;
        let answer: RedeemAnswer = answer(response)
            .await
            .map_err(|err| deadline.explain(err))?;
        let unreadable = |what: &str| ApiError::Server {
            status: 200,
            message: format!("the invitation's answer {what}"),
        };
        let verify = PurposeSetting::requested(&answer.verify)
            .ok_or_else(|| unreadable("named nothing to verify"))?;
        if answer.access_token.trim().is_empty() || answer.coworker_id <= 0 {
            return Err(unreadable("named no member"));
        }
        *self.token.borrow_mut() = Some(answer.access_token.clone());
        Ok(Redeemed {
            token: answer.access_token,
            coworker_id: answer.coworker_id,
            business_id: answer.business_id,
            verify,
            checks: answer
                .checks
                .into_iter()
                .map(|check| (check.id, check.verification_type))
                .collect(),
        })
    }

    /// Asks for a hand-off to the member's phone, passing `progress` on to it (`POST
    /// {api}/handoffs`). `key` makes a repeat after a lost answer return the same hand-off (with new
    /// codes: the gateway keeps only their digests).
    pub async fn create_handoff(
        &self,
        progress: &serde_json::Value,
        key: Option<&str>,
    ) -> Result<Handoff, ApiError> {
        let url = self.url("/handoffs");
        let body = serde_json::json!({ "Progress": progress });
        self.send_with(
            Kind::Write,
            key,
            || Request::post(&url),
            |builder| builder.json(&body),
        )
        .await
    }

    /// Where the hand-off `id` stands.
    pub async fn handoff(&self, id: &str) -> Result<HandoffStatus, ApiError> {
        let url = self.url(&format!("/handoffs/{}", path_segment(id)));
        self.read(|| Request::get(&url)).await
    }

    /// Takes the hand-off `id` back (`DELETE`): its codes stop working and the phone's token is
    /// revoked. The answer says where it stood (`Submitted` if the phone had already sent).
    pub async fn cancel_handoff(&self, id: &str) -> Result<HandoffStatus, ApiError> {
        let url = self.url(&format!("/handoffs/{}", path_segment(id)));
        self.send_with(
            Kind::Write,
            None,
            || Request::delete(&url),
            RequestBuilder::build,
        )
        .await
    }

    /// What taking the hand-off `id` back takes, ready to be sent when the page goes away (see
    /// [`Withdrawal`]). Uses the token in hand: nobody is left to ask a provider.
    pub fn withdrawal(&self, id: &str) -> Option<Withdrawal> {
        Some(Withdrawal {
            url: self.url(&format!("/handoffs/{}", path_segment(id))),
            token: self.token.borrow().clone()?,
        })
    }

    /// Exchanges a hand-off's code (the link's long one, or the short one typed) for a token of
    /// its member (`POST {api}/handoffs/redeem`, without `Authorization`), and from then on sends
    /// that token. Like [`Api::redeem_invitation`], for an `Api` made without a token provider.
    ///
    /// A wrong, used, cancelled or expired code is `ApiError::Rejected` (on `Code`); too many wrong
    /// codes are `ApiError::LockedOut`.
    pub async fn redeem_handoff(&self, code: &str) -> Result<HandedOver, ApiError> {
        let url = self.url("/handoffs/redeem");
        let code = crate::config::invitation_code(code).unwrap_or_else(|| code.trim().to_string());
        let body = serde_json::json!({ "Code": code });
        let deadline = Deadline::start(self.deadline_ms(Kind::Write));
        let request = Request::post(&url)
            .abort_signal(deadline.signal())
            .json(&body)
            .map_err(|err| ApiError::Network(err.to_string()))?;
        let response = request.send().await.map_err(|err| deadline.lost(err))?;
        let answer: HandedOverAnswer = answer(response)
            .await
            .map_err(|err| deadline.explain(err))?;
        if answer.access_token.trim().is_empty() || answer.coworker_id <= 0 {
            return Err(ApiError::Server {
                status: 200,
                message: "the hand-off's answer named no member".into(),
            });
        }
        *self.token.borrow_mut() = Some(answer.access_token.clone());
        Ok(HandedOver {
            token: answer.access_token,
            coworker_id: answer.coworker_id,
            business_id: answer.business_id,
            progress: answer.progress.filter(|progress| !progress.is_null()),
        })
    }

    /// Creates a check; `key` (the `Idempotency-Key`) makes a repeat of the same create answer the
    /// first result instead of creating again, where the server honours it.
    pub async fn create_check(
        &self,
        check: &NewCoworkerIdentityCheck,
        key: Option<&str>,
    ) -> Result<i64, ApiError> {
        self.create("/spaces/coworkeridentitychecks", check, key)
            .await
    }

    /// Writes the member's answers into the existing check `id` (`PUT` with `Id` in the body): how
    /// a check the operator requested is completed. Answered by the write envelope, like a create.
    pub async fn update_check(
        &self,
        id: i64,
        check: &NewCoworkerIdentityCheck,
    ) -> Result<i64, ApiError> {
        let url = self.url("/spaces/coworkeridentitychecks");
        let body = WithId { id, record: check };
        let envelope: Envelope = self
            .send_with(
                Kind::Write,
                None,
                || Request::put(&url),
                |builder| builder.json(&body),
            )
            .await?;
        written_id(envelope)
    }

    pub async fn create_document(
        &self,
        document: &NewCoworkerIdentityCheckDocument,
        key: Option<&str>,
    ) -> Result<i64, ApiError> {
        self.create("/spaces/coworkeridentitycheckdocuments", document, key)
            .await
    }

    pub async fn check(&self, id: i64) -> Result<CheckState, ApiError> {
        let url = self.url(&format!("/spaces/coworkeridentitychecks/{id}"));
        self.read(|| Request::get(&url)).await
    }

    /// The first of the member's checks, newest first, that `wanted` accepts, reading as many
    /// pages as it takes: to find one a lost answer left behind, or one to continue.
    pub async fn find_check(
        &self,
        coworker_id: i64,
        wanted: impl Fn(&CheckState) -> bool,
    ) -> Result<Option<CheckState>, ApiError> {
        self.find(
            &format!("/spaces/coworkeridentitychecks?CoworkerIdentityCheck_Coworker={coworker_id}"),
            wanted,
        )
        .await
    }

    /// The first of a check's documents, newest first, that `wanted` accepts (every page read).
    pub async fn find_document(
        &self,
        check_id: i64,
        wanted: impl Fn(&DocumentState) -> bool,
    ) -> Result<Option<DocumentState>, ApiError> {
        self.find(
            &format!("/spaces/coworkeridentitycheckdocuments?CoworkerIdentityCheckDocument_CoworkerIdentityCheck={check_id}"),
            wanted,
        )
        .await
    }

    /// Reads a list newest first, page after page, until `wanted` accepts a record or the pages
    /// end. A page that fails fails the look-up: "not found" is only said after the last page.
    async fn find<T: DeserializeOwned>(
        &self,
        list: &str,
        wanted: impl Fn(&T) -> bool,
    ) -> Result<Option<T>, ApiError> {
        for page in 1..=MAX_PAGES {
            let url = self.url(&format!(
                "{list}&orderBy=Id&dir=Descending&size=25&page={page}"
            ));
            let Records {
                records,
                has_next_page,
            } = self.read::<Records<T>>(|| Request::get(&url)).await?;
            if let Some(found) = records.into_iter().find(|record| wanted(record)) {
                return Ok(Some(found));
            }
            if !has_next_page {
                return Ok(None);
            }
        }
        Err(ApiError::Server {
            status: 200,
            message: format!("the list has more than {MAX_PAGES} pages"),
        })
    }

    /// Creates a MasStack identification with identity document for `org` (seed 004).
    /// `key` is the `Idempotency-Key`: sending the same request again with it (after a lost
    /// answer) answers the identification already created.
    pub async fn create_identification(
        &self,
        org: &str,
        request: &CreateIdentityDocumentIdentificationRequest,
        key: Option<&str>,
    ) -> Result<Identification, ApiError> {
        let url = self.url(&format!("/orgs/{org}/identifications/identity_document"));
        self.send_with(
            Kind::Write,
            key,
            || Request::post(&url),
            |builder| builder.json(request),
        )
        .await
    }

    /// The identification as it stands now.
    pub async fn identification(&self, org: &str, id: &str) -> Result<Identification, ApiError> {
        let url = self.url(&format!(
            "/orgs/{org}/identifications/identity_document/{id}"
        ));
        self.read(|| Request::get(&url)).await
    }

    /// Cancels an identification, saying why (204; 409 once it is finished or cancelled).
    pub async fn cancel_identification(
        &self,
        org: &str,
        id: &str,
        reason: &str,
    ) -> Result<(), ApiError> {
        let url = self.url(&format!(
            "/orgs/{org}/identifications/identity_document/{id}"
        ));
        let body = CancelIdentificationRequest {
            reason: Some(reason.to_string()),
        };
        self.send_with(
            Kind::Write,
            None,
            || Request::delete(&url),
            |builder| builder.json(&body),
        )
        .await
    }

    /// Stores an image with the server's upload endpoint and returns the URL to name in a record.
    pub async fn upload(
        &self,
        bytes: &[u8],
        mime: &str,
        key: Option<&str>,
    ) -> Result<String, ApiError> {
        let url = self.url("/uploads");
        let uploaded: Uploaded = self
            .send_with(
                Kind::Upload,
                key,
                || Request::post(&url).header("Content-Type", mime),
                |builder| builder.body(js_sys::Uint8Array::from(bytes)),
            )
            .await?;
        Ok(uploaded.url)
    }

    async fn create<T: serde::Serialize>(
        &self,
        path: &str,
        body: &T,
        key: Option<&str>,
    ) -> Result<i64, ApiError> {
        let url = self.url(path);
        let envelope: Envelope = self
            .send_with(
                Kind::Write,
                key,
                || Request::post(&url),
                |builder| builder.json(body),
            )
            .await?;
        written_id(envelope)
    }

    /// Sends a request without a body.
    async fn read<T: DeserializeOwned>(
        &self,
        start: impl Fn() -> RequestBuilder,
    ) -> Result<T, ApiError> {
        self.send_with(Kind::Read, None, start, RequestBuilder::build)
            .await
    }

    /// Sends the request `start` and `finish` make, with the bearer token and `key` as its
    /// `Idempotency-Key`, at this instance's pace and within the deadline of its kind, and reads
    /// the answer. A throttled answer is waited out and sent again; a 401 asks the token provider
    /// for a fresh token and sends again once.
    async fn send_with<T: DeserializeOwned>(
        &self,
        kind: Kind,
        key: Option<&str>,
        start: impl Fn() -> RequestBuilder,
        finish: impl Fn(RequestBuilder) -> Result<Request, gloo_net::Error>,
    ) -> Result<T, ApiError> {
        let mut waits = 0;
        let mut fresh_token = false;
        loop {
            let token = self.bearer(fresh_token).await?;
            self.pace().await;
            let deadline = Deadline::start(self.deadline_ms(kind));
            let mut builder = start()
                .header("Authorization", &format!("Bearer {token}"))
                .abort_signal(deadline.signal());
            if let Some(key) = key {
                builder = builder.header("Idempotency-Key", key);
            }
            let request = finish(builder).map_err(|err| ApiError::Network(err.to_string()))?;
            let response = request.send().await.map_err(|err| deadline.lost(err))?;
            if response.status() == 401 && !fresh_token && self.provider.is_some() {
                fresh_token = true;
                continue;
            }
            if response.status() == 409
                && waits < THROTTLE_RETRIES
                && let Some(seconds) = retry_after(&response)
            {
                waits += 1;
                crate::browser::sleep_ms(seconds.saturating_mul(1000)).await;
                continue;
            }
            // The body is read under the same deadline: an answer that stalls half-way is lost too.
            return answer(response).await.map_err(|err| deadline.explain(err));
        }
    }
}

/// Taking a hand-off back as the page goes (a kiosk starting afresh loads its page again): sent
/// without waiting for the answer, in a request the browser carries out even after the page is
/// gone (`keepalive`). Plain text only, so it can be held by a cleanup that outlives the rest.
#[derive(Clone)]
pub struct Withdrawal {
    url: String,
    token: String,
}

impl Withdrawal {
    pub fn send(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let init = web_sys::RequestInit::new();
        init.set_method("DELETE");
        let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &headers,
            &"Authorization".into(),
            &format!("Bearer {}", self.token).into(),
        );
        init.set_headers(&headers);
        // Nobody is left to read the answer: whatever it says, the link was shown to no one else.
        let _ = window.fetch_with_str_and_init(&self.url, &init);
    }
}

/// Never printed: it holds a token.
impl std::fmt::Debug for Withdrawal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Withdrawal { .. }")
    }
}

/// A request's deadline: when it passes, the request is aborted. Dropping it cancels the timer.
struct Deadline {
    signal: Option<web_sys::AbortSignal>,
    ms: u32,
    timer: Option<(i32, wasm_bindgen::closure::Closure<dyn FnMut()>)>,
}

impl Deadline {
    fn start(ms: u32) -> Deadline {
        let controller = web_sys::AbortController::new().ok();
        let signal = controller.as_ref().map(web_sys::AbortController::signal);
        let timer = controller.and_then(|controller| {
            let abort = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
                controller.abort();
            });
            let handle = web_sys::window()?
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    abort.as_ref().unchecked_ref(),
                    ms.min(i32::MAX as u32) as i32,
                )
                .ok()?;
            Some((handle, abort))
        });
        Deadline { signal, ms, timer }
    }

    fn signal(&self) -> Option<&web_sys::AbortSignal> {
        self.signal.as_ref()
    }

    fn passed(&self) -> bool {
        self.signal
            .as_ref()
            .is_some_and(web_sys::AbortSignal::aborted)
    }

    /// The request failed without an answer: say so, naming the deadline when that was why.
    fn lost(&self, err: gloo_net::Error) -> ApiError {
        if self.passed() {
            self.no_answer()
        } else {
            ApiError::Network(err.to_string())
        }
    }

    /// An error reading the answer, put down to the deadline when it passed meanwhile.
    fn explain(&self, err: ApiError) -> ApiError {
        match err {
            ApiError::Network(_) if self.passed() => self.no_answer(),
            other => other,
        }
    }

    fn no_answer(&self) -> ApiError {
        ApiError::Network(format!(
            "no answer within {} seconds",
            self.ms.div_ceil(1000)
        ))
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let (Some((handle, _)), Some(window)) = (&self.timer, web_sys::window()) {
            window.clear_timeout_with_handle(*handle);
        }
    }
}

/// Carries out `call`, and again after a lost answer (a network failure or a server error) up to
/// [`backoff::AUTO_RETRIES`] times with growing, jittered waits, before its failure is shown. Only
/// for calls a repeat cannot duplicate: reads, and writes with an `Idempotency-Key`.
pub async fn retrying_lost<T, Fut>(call: impl Fn() -> Fut) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut retries = 0;
    loop {
        match call().await {
            Err(error) if error.is_ambiguous() && retries < backoff::AUTO_RETRIES => {
                let wait = backoff::retry_delay_ms(retries, js_sys::Math::random());
                crate::browser::sleep_ms(wait).await;
                retries += 1;
            }
            answer => return answer,
        }
    }
}

/// `text` as one path segment: an id the gateway made is plain hex, but nothing it says may
/// reach another path.
fn path_segment(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// The id a write envelope names.
fn written_id(envelope: Envelope) -> Result<i64, ApiError> {
    if envelope.was_successful == Some(false) {
        return Err(match envelope.errors {
            Some(errors) if !errors.is_empty() => ApiError::Rejected(errors),
            _ => ApiError::Server {
                status: 200,
                message: envelope
                    .message
                    .unwrap_or_else(|| "the write was not successful".into()),
            },
        });
    }
    envelope
        .value
        .map(|value| value.id)
        .ok_or_else(|| ApiError::Server {
            status: 200,
            message: "the answer named no record id".into(),
        })
}

/// How long a throttled answer asks us to wait before sending again, at most a minute.
fn retry_after(response: &Response) -> Option<u32> {
    retry_after_seconds(response).map(|seconds| seconds.clamp(1, 60))
}

/// The answer's `Retry-After`, in seconds.
fn retry_after_seconds(response: &Response) -> Option<u32> {
    response
        .headers()
        .get("Retry-After")?
        .trim()
        .parse::<u32>()
        .ok()
}

async fn answer<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let throttled = response.headers().get("Retry-After").is_some();
    let locked_for = retry_after_seconds(&response);
    let text = response
        .text()
        .await
        .map_err(|err| ApiError::Network(err.to_string()))?;
    let envelope = serde_json::from_str::<Envelope>(&text).ok();
    // Nexudus says it in `Message`, MasStack in its first error's `message`.
    let message = || {
        envelope
            .as_ref()
            .and_then(|envelope| {
                envelope.message.clone().or_else(|| {
                    envelope
                        .errors
                        .as_ref()?
                        .first()
                        .map(|error| error.message.clone())
                })
            })
            .unwrap_or_else(|| text.chars().take(200).collect())
    };
    match status {
        // A success whose body does not parse was cut off on the way (or the server lost the
        // connection after writing): the request may have been carried out, like a network failure.
        // 204 No Content reads as JSON `null`, i.e. `()`.
        200..=299 => serde_json::from_str(if status == 204 { "null" } else { &text })
            .map_err(|err| ApiError::Network(format!("the answer was incomplete: {err}"))),
        400 => match envelope
            .as_ref()
            .and_then(|envelope| envelope.errors.clone())
        {
            Some(errors) if !errors.is_empty() => Err(ApiError::Rejected(errors)),
            _ => Err(ApiError::Server {
                status,
                message: message(),
            }),
        },
        401 => Err(ApiError::Unauthorized),
        403 => Err(ApiError::Forbidden(message())),
        404 => Err(ApiError::NotFound(message())),
        409 if throttled => Err(ApiError::Throttled),
        409 => Err(ApiError::Conflict(message())),
        429 => match locked_for {
            Some(seconds) => Err(ApiError::LockedOut {
                retry_after_seconds: seconds,
            }),
            None => Err(ApiError::Server {
                status,
                message: message(),
            }),
        },
        _ => Err(ApiError::Server {
            status,
            message: message(),
        }),
    }
}
