//! The standalone page's entry point: mounts the component into the host page's body.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(idcheck::App);
}
