//! The shared core of idcheck: the Nexudus identity-check records, the validation rules and the
//! file-slot rules, exactly as the API documents them (`shared/seeds` 000–003).
//!
//! The browser component, the gateway and the local API server all call these functions, so a
//! member sees the same violation in the browser that the gateway would answer with, and they cannot
//! drift apart. The local API server, standing in for Nexudus, applies the API's own, more lenient
//! rules (`rules::check_identity_check_record`, `files::check_stored_file`), built from the same
//! helpers.
//!
//! Architecture invariant: the core does no I/O. It never touches the network, the file system, the
//! DOM or the clock; every input, including "today", is handed to it. That keeps it fast to test and
//! lets it compile unchanged for `wasm32-unknown-unknown`.
//!
//! - [`model`]: the records, enums and envelopes, with their JSON names.
//! - [`date`]: calendar dates without a clock.
//! - [`backoff`]: how long to wait before retrying a request or polling again.
//! - [`slots`]: which of the face photo, front and back a document needs.
//! - [`files`]: accepted image types (and PDFs for an address document's pages, with their page
//!   count), size limits and `data:` URLs.
//! - [`violation`]: one broken rule as the APIs report it (property, code, message, attempted
//!   value), shared by the rules, the file rules and MasStack's rules; each API has its code enum.
//! - [`rules`]: the validation rules (the member's and the API's own), reporting violations as the
//!   API does.
//! - [`capture`]: the record of each kept image: how it was obtained, its quality scores and its
//!   SHA-256.
//! - [`flow`]: the onboarding flow's state machine: steps, blockers and submission milestones
//!   (attempts, idempotency keys), and its snapshot kept across a reload.
//! - [`face`]: the face step's face check: BlazeFace short range run in plain Rust, and the
//!   faces found judged against the oval (one face, centred, of the right size).
//! - [`frame`]: live capture guidance: exposure, sharpness, glare, the document's edges and
//!   corners, steadiness and the crop, measured on a luma frame, with the one advice to show.
//! - [`invitation`]: the form of the invitation codes members type.
//! - [`error`]: the errors of the core's boundary.
//! - [`masstack`]: the second provider, MasStack's identity-document identification (seed 004):
//!   its model (requests, answers, errors), its rules (Spanish NIF/NIE check letters, countries,
//!   durations) and the states of an identification.

pub mod backoff;
pub mod capture;
pub mod date;
pub mod error;
pub mod face;
pub mod files;
pub mod flow;
pub mod frame;
pub mod invitation;
pub mod masstack;
pub mod model;
pub mod rules;
pub mod slots;
pub mod violation;
