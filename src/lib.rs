//! idcheck, the browser component: takes a coworking member through an identity or address check.
//!
//! The rules and the flow live in `idcheck-core`; this crate is the thin browser shell around them:
//! `widget` is what the module exports to host pages, `host` what an instance knows of its page,
//! `config` reads the host's settings, `session` holds one member's visit, `resume` keeps it across
//! a reload, `handoff` carries it to the member's phone, `api` talks to the API, `poll` asks it for news at a polite pace, `camera` and
//! `browser` wrap the browser's facilities, `guidance` analyses the camera's frames live, `upload` tells a chosen PDF from an image, `page` reads the standalone page's address, `history` follows the back button, `i18n` names every
//! word (`translations` fetches the languages not built in), `ui` renders it all, and `parts` puts
//! the views a member reaches later in modules fetched while the first screen is read. `shell`
//! draws a member's welcome step without Leptos, so that the first module carries no framework:
//! the visit (`parts::adopt`) takes that screen over when it arrives.

pub mod api;
pub mod browser;
pub mod camera;
pub mod config;
pub mod face;
pub mod guidance;
pub mod handoff;
pub mod history;
pub mod host;
pub mod i18n;
pub mod page;
pub mod parts;
pub mod poll;
pub mod resume;
pub mod session;
pub mod shell;
pub mod translations;
pub mod ui;
pub mod upload;
pub mod widget;

pub use ui::App;
