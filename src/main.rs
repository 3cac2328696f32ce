//! The standalone page's entry point: reads the configuration from the page and mounts the
//! component into its body.

fn main() {
    console_error_panic_hook::set_once();
    let settings = idcheck::page_settings();
    let config = idcheck::config::parse(settings.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    leptos::mount::mount_to_body(move || leptos::view! { <idcheck::App config=config.clone()/> });
}
