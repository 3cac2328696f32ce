//! Every string the member sees. The texts live in translation files (`locales/*.json`, one per
//! language, English the source); the build checks them and generates the `Text` keys and the
//! English table (see `idcheck-locales`), so a missing key or placeholder fails the build. English
//! is built in; another language's file is fetched when it is chosen (`translations`), with English
//! shown meanwhile and on any failure.

use idcheck_core::date::Date;
use idcheck_core::model::{AddressDocumentType, IdentityDocumentType, VerificationStatus};
use idcheck_core::slots::DocumentKind;
use idcheck_core::violation::{Violation, ViolationCode};
use wasm_bindgen::JsValue;

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// A language the component speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    En,
    Es,
    Fr,
    De,
    It,
    PtBr,
    Nl,
    Pl,
    Tr,
    Uk,
    Ar,
    He,
    Ja,
    Ko,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 15] = [
        Lang::En,
        Lang::Es,
        Lang::Fr,
        Lang::De,
        Lang::It,
        Lang::PtBr,
        Lang::Nl,
        Lang::Pl,
        Lang::Tr,
        Lang::Uk,
        Lang::Ar,
        Lang::He,
        Lang::Ja,
        Lang::Ko,
        Lang::ZhCn,
    ];

    /// Picks the first supported language from the browser's preference list (BCP 47 tags such as
    /// `es-ES`), among `offered`, falling back to English.
    pub fn from_preferences<'a>(tags: impl IntoIterator<Item = &'a str>, offered: &[Lang]) -> Lang {
        tags.into_iter()
            .filter_map(Lang::from_tag)
            .find(|lang| offered.is_empty() || offered.contains(lang))
            .unwrap_or(Lang::En)
    }

    /// The language a BCP 47 tag asks for, by its primary subtag (`pt-PT` is served Brazilian
    /// Portuguese, `zh-TW` simplified Chinese: the nearest the component speaks).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Lang::ALL
            .into_iter()
            .find(|lang| lang.tag().split('-').next() == Some(primary.as_str()))
    }

    /// The tag written into the `lang` attribute (screen readers pronounce the text by it) and
    /// naming the language's file.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::It => "it",
            Lang::PtBr => "pt-BR",
            Lang::Nl => "nl",
            Lang::Pl => "pl",
            Lang::Tr => "tr",
            Lang::Uk => "uk",
            Lang::Ar => "ar",
            Lang::He => "he",
            Lang::Ja => "ja",
            Lang::Ko => "ko",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Fr => "Français",
            Lang::De => "Deutsch",
            Lang::It => "Italiano",
            Lang::PtBr => "Português (Brasil)",
            Lang::Nl => "Nederlands",
            Lang::Pl => "Polski",
            Lang::Tr => "Türkçe",
            Lang::Uk => "Українська",
            Lang::Ar => "العربية",
            Lang::He => "עברית",
            Lang::Ja => "日本語",
            Lang::Ko => "한국어",
            Lang::ZhCn => "简体中文",
        }
    }

    /// The writing direction, for the component's root `dir`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar | Lang::He => "rtl",
            _ => "ltr",
        }
    }

    /// Where the language's strings are fetched from, relative to the component's files (English
    /// is built in, so `None`).
    pub fn file(self) -> Option<&'static str> {
        file_of(self.tag())
    }
}

/// The browser's first preferred language among `offered` (all when empty), else English.
pub fn browser_language(offered: &[Lang]) -> Lang {
    let Some(navigator) = web_sys::window().map(|window| window.navigator()) else {
        return Lang::En;
    };
    let mut preferred: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    if preferred.is_empty() {
        preferred.extend(navigator.language());
    }
    Lang::from_preferences(preferred.iter().map(String::as_str), offered)
}

/// English's text for a form key (`welcome_title`, `code_locked_out_one`).
fn english(key: &str) -> Option<&'static str> {
    ENGLISH
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|index| ENGLISH[index].1)
}

/// A form's text in `lang`, or in English while (or if) that language is not loaded.
fn form(lang: Lang, key: &str) -> Option<&'static str> {
    crate::translations::text(lang, key).or_else(|| english(key))
}

/// The text of `key` in `lang`. A plural text without a count is given in its `other` form.
pub fn t(lang: Lang, key: Text) -> &'static str {
    let text = if key.is_plural() {
        form(lang, &format!("{}_other", key.key()))
    } else {
        form(lang, key.key())
    };
    text.unwrap_or_default()
}

/// A plural text for `count`, in the form the language's rules choose (the browser's
/// `Intl.PluralRules`), with `{{count}}` filled in.
pub fn t_count(lang: Lang, key: Text, count: u32) -> String {
    let category = plural_category(lang, count);
    let text = form(lang, &format!("{}_{category}", key.key()))
        .or_else(|| form(lang, &format!("{}_other", key.key())))
        .unwrap_or_default();
    fill(text, &[("count", &count.to_string())])
}

fn plural_category(lang: Lang, count: u32) -> String {
    let locales = js_sys::Array::of1(&lang.tag().into());
    let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
    rules
        .select(f64::from(count))
        .as_string()
        .unwrap_or_else(|| "other".into())
}

/// A date as the member's language writes it ("30 June 2032", "2032年6月30日").
pub fn date(lang: Lang, date: Date) -> String {
    let locales = js_sys::Array::of1(&lang.tag().into());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into());
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"UTC".into());
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    let at = js_sys::Date::new(
        &js_sys::Date::utc(f64::from(date.year()), f64::from(date.month()) - 1.0).into(),
    );
    at.set_utc_date(u32::from(date.day()));
    format
        .format()
        .call1(&format, &at)
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| date.to_string())
}

/// A file's size as the member's language writes it ("1.2 MB", "1,2 Mo", "340 kB"): kilobytes
/// under a megabyte, megabytes with one decimal above (both of 1024, like the 10 MB limit).
pub fn file_size(lang: Lang, bytes: usize) -> String {
    const KB: f64 = 1024.0;
    let bytes = bytes as f64;
    let (value, unit, decimals) = if bytes < KB * KB {
        ((bytes / KB).ceil(), "kilobyte", 0)
    } else {
        (bytes / (KB * KB), "megabyte", 1)
    };
    let locales = js_sys::Array::of1(&lang.tag().into());
    let options = js_sys::Object::new();
    for (key, value) in [
        ("style", JsValue::from("unit")),
        ("unit", unit.into()),
        ("maximumFractionDigits", decimals.into()),
    ] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value);
    }
    let format = js_sys::Intl::NumberFormat::new(&locales, &options);
    format
        .format()
        .call1(&format, &value.into())
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_else(|| format!("{value} {}", if decimals == 0 { "kB" } else { "MB" }))
}

/// The human name of a document type.
pub fn document_text(kind: DocumentKind) -> Text {
    use AddressDocumentType as Address;
    use IdentityDocumentType as Identity;
    match kind {
        DocumentKind::Identity(Identity::Passport) | DocumentKind::Address(Address::Passport) => {
            Text::DocPassport
        }
        DocumentKind::Identity(Identity::DriversLicense)
        | DocumentKind::Address(Address::DriversLicense) => Text::DocDriversLicense,
        DocumentKind::Identity(Identity::IdCard) | DocumentKind::Address(Address::IdCard) => {
            Text::DocIdCard
        }
        DocumentKind::Identity(Identity::UniformedServiceId) => Text::DocUniformedServiceId,
        DocumentKind::Identity(Identity::CertificateOfNaturalization) => {
            Text::DocCertificateOfNaturalization
        }
        DocumentKind::Identity(Identity::AccessCard) => Text::DocAccessCard,
        DocumentKind::Identity(Identity::MatriculaConsular) => Text::DocMatriculaConsular,
        DocumentKind::Identity(Identity::ResidentCard) => Text::DocResidentCard,
        DocumentKind::Identity(Identity::UniversityId) => Text::DocUniversityId,
        DocumentKind::Identity(Identity::NexusCard) => Text::DocNexusCard,
        DocumentKind::Address(Address::LeaseRentalAgreement) => Text::DocLease,
        DocumentKind::Address(Address::InsurancePolicy) => Text::DocInsurance,
        DocumentKind::Address(Address::Mortgage) => Text::DocMortgage,
        DocumentKind::Address(Address::VehicleRegistrationCard) => Text::DocVehicleRegistration,
        DocumentKind::Address(Address::VoterCard) => Text::DocVoterCard,
        DocumentKind::Identity(Identity::Other | Identity::None)
        | DocumentKind::Address(Address::Other | Address::None) => Text::DocAnother,
    }
}

/// The plain-words explanation of a rule the member's input breaks.
pub fn violation_text(violation: &Violation) -> Text {
    match (violation.code, violation.property.as_str()) {
        (ViolationCode::Required, "IdentityDocumentNumber") => Text::ErrorRequiredNumber,
        (ViolationCode::Required, "IdentityDocumentIssuedBy") => Text::ErrorRequiredIssuedBy,
        (ViolationCode::Required, "IdentityDocumentExpirationDate") => Text::ErrorRequiredExpires,
        (ViolationCode::TooLong, _) => Text::ErrorTooLong,
        (ViolationCode::InvalidCharacters, _) => Text::ErrorInvalidCharacters,
        (ViolationCode::NotADate, _) => Text::ErrorNotADate,
        (ViolationCode::DateInPast, _) => Text::ErrorDateInPast,
        (ViolationCode::FileEmpty | ViolationCode::FileTooSmall, _) => Text::FileEmpty,
        (ViolationCode::FileTooLarge, _) => Text::FileTooLarge,
        (ViolationCode::FileNotAnImage, _) => Text::FileNotAnImage,
        (ViolationCode::MissingFile, _) => Text::CaptureNeeded,
        _ => Text::ErrorServerSaid,
    }
}

/// The words for a check's status.
pub fn status_text(status: VerificationStatus) -> Text {
    match status {
        VerificationStatus::None => Text::StatusNone,
        VerificationStatus::Pending => Text::StatusPending,
        VerificationStatus::Submitted => Text::StatusSubmitted,
        VerificationStatus::Successful => Text::StatusSuccessful,
        VerificationStatus::Failed => Text::StatusFailed,
        VerificationStatus::Cancelled => Text::StatusCancelled,
    }
}

/// Fills the `{{name}}` placeholders of a translated text.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{{{name}}}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn preferences_pick_the_first_supported_language() {
        assert_eq!(
            Lang::from_preferences(["sv-SE", "es-MX", "en"], &[]),
            Lang::Es
        );
        assert_eq!(Lang::from_preferences(["EN_gb"], &[]), Lang::En);
        assert_eq!(Lang::from_preferences(["pt-PT"], &[]), Lang::PtBr);
        assert_eq!(Lang::from_preferences(["zh-Hans-CN"], &[]), Lang::ZhCn);
        assert_eq!(Lang::from_preferences(["sv", "fi"], &[]), Lang::En);
        assert_eq!(Lang::from_preferences([], &[]), Lang::En);
        // A host that offers only some languages: the first preferred one among them.
        assert_eq!(
            Lang::from_preferences(["fr", "de"], &[Lang::De, Lang::En]),
            Lang::De
        );
    }

    #[test]
    fn every_language_names_itself_and_has_a_file() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert!(!lang.native_name().is_empty());
            assert_eq!(lang.file().is_none(), lang == Lang::En, "{lang:?}");
        }
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::He.dir(), "rtl");
        assert_eq!(Lang::Ja.dir(), "ltr");
    }

    #[test]
    fn english_is_built_in_for_every_text() {
        for text in Text::ALL {
            assert!(!t(Lang::En, text).trim().is_empty(), "{text:?} is empty");
            // A language not loaded shows English, never a blank.
            assert_eq!(t(Lang::Ko, text), t(Lang::En, text));
        }
    }

    #[test]
    fn every_document_type_has_its_own_name() {
        let identity: Vec<Text> = IdentityDocumentType::ALL
            .iter()
            .filter(|kind| **kind != IdentityDocumentType::None)
            .map(|kind| document_text(DocumentKind::Identity(*kind)))
            .collect();
        let mut unique = identity.clone();
        unique.sort_by_key(|text| format!("{text:?}"));
        unique.dedup();
        assert_eq!(unique.len(), identity.len());
        assert_eq!(
            document_text(DocumentKind::Address(AddressDocumentType::VoterCard)),
            Text::DocVoterCard
        );
    }

    #[test]
    fn counts_choose_their_plural_form() {
        assert_eq!(
            t_count(Lang::En, Text::CodeLockedOut, 1),
            "Too many wrong codes. Try again in 1 minute."
        );
        assert_eq!(
            t_count(Lang::En, Text::CodeLockedOut, 15),
            "Too many wrong codes. Try again in 15 minutes."
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(t(Lang::En, Text::StepOf), &[("n", "2"), ("total", "7")]),
            "Step 2 of 7"
        );
    }

    #[test]
    fn dates_are_written_the_language_s_way() {
        let day = Date::new(2032, 6, 30).unwrap();
        assert_eq!(date(Lang::En, day), "June 30, 2032");
        assert_eq!(date(Lang::De, day), "30. Juni 2032");
        assert_eq!(date(Lang::Ja, day), "2032年6月30日");
    }
}
