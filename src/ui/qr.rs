//! A QR code drawn as SVG: one module per unit of its `viewBox`, so it is crisp at any size the
//! page gives it, with the four-module quiet zone scanners need around it, always dark on light
//! (many scanners cannot read the inverse, so it ignores the dark scheme), and a text alternative.
//! The symbol is made in the browser by `qrcodegen` (Project Nayuki's reference implementation).

use leptos::prelude::*;
use qrcodegen::{QrCode, QrCodeEcc};

/// The light margin around the symbol, in modules, as the QR code standard asks.
pub const QUIET_ZONE: i32 = 4;

/// The SVG path of `code`'s dark modules, offset by the quiet zone: each row's runs of dark
/// modules as one rectangle each, which keeps the path short.
pub fn dark_path(code: &QrCode) -> String {
    let size = code.size();
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !code.get_module(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && code.get_module(x, y) {
                x += 1;
            }
            path.push_str(&format!(
                "M{} {}h{}v1h-{}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE,
                x - start,
                x - start
            ));
        }
    }
    path
}

/// The QR code of `text`, described to assistive technology by `label`. Medium error correction
/// (15 %): a phone held at an angle to a laptop's glossy screen still reads it. Text too long for
/// any QR code draws nothing (a link never is).
#[component]
pub fn QrSymbol(
    text: String,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let code = QrCode::encode_text(&text, QrCodeEcc::Medium).ok()?;
    let side = code.size() + 2 * QUIET_ZONE;
    let view_box = format!("0 0 {side} {side}");
    Some(view! {
        <svg
            class=format!("idcheck-qr {class}")
            xmlns="http://www.w3.org/2000/svg"
            viewBox=view_box
            role="img"
            aria-label=move || label.get()
            shape-rendering="crispEdges"
        >
            <rect width=side height=side fill="#ffffff"></rect>
            <path d=dark_path(&code) fill="#000000"></path>
        </svg>
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn every_dark_module_is_drawn_once_inside_the_quiet_zone() {
        let code = QrCode::encode_text("https://gw.example/#handoff=00ff", QrCodeEcc::Medium)
            .expect("a short link fits");
        let path = dark_path(&code);
        let mut drawn = 0;
        for run in path.split('M').filter(|run| !run.is_empty()) {
            let numbers: Vec<i32> = run
                .split(|c: char| !c.is_ascii_digit())
                .filter(|part| !part.is_empty())
                .map(|part| part.parse().unwrap())
                .collect();
            let [x, y, width, ..] = numbers[..] else {
                panic!("a run reads x y h<width>: {run}");
            };
            assert!(x >= QUIET_ZONE && y >= QUIET_ZONE, "{run}");
            assert!(x + width <= code.size() + QUIET_ZONE, "{run}");
            for dx in 0..width {
                assert!(
                    code.get_module(x - QUIET_ZONE + dx, y - QUIET_ZONE),
                    "{run}"
                );
            }
            drawn += width;
        }
        let dark = (0..code.size())
            .flat_map(|y| (0..code.size()).map(move |x| (x, y)))
            .filter(|(x, y)| code.get_module(*x, *y))
            .count() as i32;
        assert_eq!(drawn, dark);
    }
}
