//! Coming back after a reload: in member mode the flow's snapshot (answers, reference, attempt,
//! record ids, stored image URLs; never an image, never a token) is kept in the tab's
//! `sessionStorage`, so a reload returns to the same step and a retry stays in the same attempt.
//! A kiosk never keeps one (the next person must not find it), and a finished check, a cancel or
//! a reset removes it.

use idcheck_core::flow::{Flow, Snapshot, Step};

const PREFIX: &str = "idcheck-flow:";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Whether this instance kept a visit in this tab: the first screen asks before it fetches the
/// part that reads one (`parts::resumed_visit`).
pub fn is_kept(id_prefix: &str) -> bool {
    storage()
        .and_then(|storage| {
            storage
                .get_item(&format!("{PREFIX}{id_prefix}"))
                .ok()
                .flatten()
        })
        .is_some()
}

/// Whether `flow` is worth keeping: a visit that has not begun (the welcome step, nothing agreed)
/// or is over (the last check submitted) leaves nothing behind.
pub fn worth_keeping(flow: &Flow) -> bool {
    let untouched = flow.step() == Step::Welcome && !flow.consented();
    let over = flow.step() == Step::Submitted && !flow.has_next_purpose();
    !(untouched || over)
}

/// The snapshot this instance kept in this tab, if any.
pub fn load(id_prefix: &str) -> Option<Snapshot> {
    let json = storage()?
        .get_item(&format!("{PREFIX}{id_prefix}"))
        .ok()??;
    Snapshot::from_json(&json)
}

/// Keeps `flow` for a reload, or removes what was kept once the visit is over (the last check
/// submitted). A visit that has not begun (the welcome step, nothing agreed) leaves nothing behind.
/// Storage that is full or disabled only means a reload starts afresh.
pub fn keep(id_prefix: &str, flow: &Flow) {
    if !worth_keeping(flow) {
        forget(id_prefix);
    } else if let Some(storage) = storage() {
        let _ = storage.set_item(&format!("{PREFIX}{id_prefix}"), &flow.snapshot().to_json());
    }
}

pub fn forget(id_prefix: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&format!("{PREFIX}{id_prefix}"));
    }
}
