//! The shared core of idcheck: the Nexudus identity-check records, the validation rules and the
//! file-slot rules, exactly as the API documents them (`shared/seeds` 000–003).
//!
//! The browser component and the local API server both call these functions, so a member sees the
//! same violation in the browser that the server would answer with, and the two cannot drift apart.
//!
//! Architecture invariant: the core does no I/O. It never touches the network, the file system, the
//! DOM or the clock; every input, including "today", is handed to it. That keeps it fast to test and
//! lets it compile unchanged for `wasm32-unknown-unknown`.
//!
//! - [`model`]: the records, enums and envelopes, with their JSON names.
//! - [`date`]: calendar dates without a clock.
//! - [`slots`]: which of the face photo, front and back a document needs.
//! - [`files`]: accepted image types, size limits and `data:` URLs.
//! - [`rules`]: the validation rules, reporting violations as the API does.
//! - [`flow`]: the onboarding flow's state machine: steps, blockers and submission milestones.
//! - [`error`]: the errors of the core's boundary.
//! - [`masstack`]: the second provider, MasStack's identity-document identification (seed 004):
//!   its requests, answers and rules (Spanish NIF/NIE check letters, countries, durations).

pub mod date;
pub mod error;
pub mod files;
pub mod flow;
pub mod masstack;
pub mod model;
pub mod rules;
pub mod slots;
