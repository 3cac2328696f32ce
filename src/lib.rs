//! idcheck, the browser component: takes a coworking member through an identity or address check.
//!
//! The rules and the flow live in `idcheck-core`; this crate is the thin browser shell that renders
//! them (`ui`), speaks the member's language (`i18n`) and talks to the browser.

pub mod i18n;
pub mod ui;

pub use ui::App;
