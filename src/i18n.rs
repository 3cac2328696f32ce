//! Every string the member sees, in every language we ship, in one table.
//!
//! A string is named by a `Text` key so that a missing translation is a compile error, not a blank.

/// A language the component speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// Picks the first supported language from the browser's preference list (BCP 47 tags such as
    /// `es-ES`), falling back to English.
    pub fn from_preferences<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or(Lang::En)
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The tag written into the `lang` attribute, so screen readers pronounce the text right.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language's own name, shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }
}

/// The name of a visible string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Text {
    Language,
    WelcomeTitle,
    WelcomeIntro,
    WelcomeWhatTitle,
    WelcomeWhatFace,
    WelcomeWhatDocument,
    WelcomeWhatDetails,
    WelcomeWhy,
    WelcomeWho,
    WelcomeConsent,
    WelcomeConsentNeeded,
    Continue,
}

impl Text {
    pub const ALL: [Text; 12] = [
        Text::Language,
        Text::WelcomeTitle,
        Text::WelcomeIntro,
        Text::WelcomeWhatTitle,
        Text::WelcomeWhatFace,
        Text::WelcomeWhatDocument,
        Text::WelcomeWhatDetails,
        Text::WelcomeWhy,
        Text::WelcomeWho,
        Text::WelcomeConsent,
        Text::WelcomeConsentNeeded,
        Text::Continue,
    ];
}

/// The translation table: one row per key, one column per language.
pub fn t(lang: Lang, text: Text) -> &'static str {
    let [en, es] = match text {
        Text::Language => ["Language", "Idioma"],
        Text::WelcomeTitle => ["Verify your identity", "Verifica tu identidad"],
        Text::WelcomeIntro => [
            "Your workspace asks you to confirm who you are or where you live. It takes a few minutes.",
            "Tu espacio de trabajo te pide confirmar quién eres o dónde vives. Son unos minutos.",
        ],
        Text::WelcomeWhatTitle => ["What we will collect", "Qué vamos a recoger"],
        Text::WelcomeWhatFace => [
            "A photo of your face, taken with your camera or uploaded.",
            "Una foto de tu cara, hecha con la cámara o subida desde un archivo.",
        ],
        Text::WelcomeWhatDocument => [
            "Photos of the front and, for some documents, the back of your document.",
            "Fotos del anverso y, en algunos documentos, del reverso de tu documento.",
        ],
        Text::WelcomeWhatDetails => [
            "Your document's type, number, issuing authority and expiry date.",
            "El tipo, número, autoridad emisora y fecha de caducidad de tu documento.",
        ],
        Text::WelcomeWhy => [
            "They are used only to check your identity or address for your membership.",
            "Solo se usan para comprobar tu identidad o domicilio para tu membresía.",
        ],
        Text::WelcomeWho => [
            "They are sent directly to your workspace operator, not to a third party.",
            "Se envían directamente al operador de tu espacio, no a terceros.",
        ],
        Text::WelcomeConsent => [
            "I agree to share these details and images with my workspace operator.",
            "Acepto compartir estos datos e imágenes con el operador de mi espacio.",
        ],
        Text::WelcomeConsentNeeded => [
            "Tick the box above to agree before you continue.",
            "Marca la casilla de arriba para aceptar antes de continuar.",
        ],
        Text::Continue => ["Continue", "Continuar"],
    };
    match lang {
        Lang::En => en,
        Lang::Es => es,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn preferences_pick_the_first_supported_language() {
        assert_eq!(Lang::from_preferences(["fr-FR", "es-MX", "en"]), Lang::Es);
        assert_eq!(Lang::from_preferences(["EN_gb"]), Lang::En);
        assert_eq!(Lang::from_preferences(["de", "fr"]), Lang::En);
        assert_eq!(Lang::from_preferences([]), Lang::En);
    }

    #[test]
    fn every_text_is_translated_in_every_language() {
        for lang in Lang::ALL {
            for text in Text::ALL {
                assert!(!t(lang, text).trim().is_empty(), "{text:?} is empty in {lang:?}");
            }
        }
        for text in Text::ALL {
            assert_ne!(t(Lang::En, text), t(Lang::Es, text), "{text:?} is not translated");
        }
    }
}
