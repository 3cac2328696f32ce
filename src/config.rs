//! The host's configuration: read from the page (the mount element's `data-*` attributes, then the
//! query string) and checked before anything is shown, so a bad setting is a clear message instead
//! of a blank page or a failing request later.

use idcheck_core::flow::{Purpose, PurposeSetting, Settings};
use idcheck_core::masstack::{self, ConfigurationName, ScoringProvider};
use idcheck_core::model::{AddressDocumentType, ApiEnum, IdentityDocumentType};

use crate::i18n::Lang;

/// How captured images reach the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploads {
    /// `POST {api}/uploads` first, then name the returned URL in the record (our local server).
    Server,
    /// Name the image as a `data:` URL in the record itself (works where no upload endpoint exists).
    Inline,
}

/// How captured frames are encoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageOptions {
    /// The longest side in pixels; larger frames are scaled down.
    pub max_side: u32,
    /// JPEG quality, 0.5 to 1.
    pub quality: f64,
}

/// The defaults keep small print legible: a card filling most of a 2000 px frame gets about
/// 20 pixels per millimetre, and quality 0.9 keeps letter edges free of JPEG ringing, while a frame
/// stays near half a megabyte.
pub const DEFAULT_IMAGE: ImageOptions = ImageOptions {
    max_side: 2000,
    quality: 0.9,
};

/// Where the component runs: a member's own browser, or a shared tablet at a front desk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Member,
    Kiosk(Kiosk),
}

/// A kiosk's timings. Attended and shared: an idle member is asked whether they are still there,
/// then the component resets; a finished member sees a thank-you, then it resets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kiosk {
    pub idle_seconds: u32,
    pub countdown_seconds: u32,
    pub thanks_seconds: u32,
    /// Offer a full-screen button.
    pub fullscreen: bool,
}

/// Whose visit it is: the member the settings name, or the one an invitation code names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// `token` (or the host's token provider), `business` and `coworker` come from the settings.
    Configured,
    /// The `invitation` setting: this code (normalised, see [`invitation_code`]) is redeemed at
    /// start, and the token, the ids and what to verify come from it.
    Invitation(String),
    /// A kiosk without a member (`mode=kiosk` without `token` and `coworker`): each person types
    /// their invitation code first.
    AskForCode,
    /// The `handoff` setting (the standalone page's `#handoff=…`): the member carries on here a
    /// visit started on another device. This code (the link's, or empty to ask for the short one)
    /// is redeemed at start, and the token, the ids and the settings come from it.
    Handoff(String),
}

/// How many characters an invitation code has, once spaces and dashes are left out.
pub use idcheck_core::invitation::CODE_LENGTH as INVITATION_CODE_LENGTH;

/// An invitation code as the member or the host wrote it, in the form the gateway compares (see
/// the core's `invitation::normalise`). `None` when it cannot be a code.
pub fn invitation_code(written: &str) -> Option<String> {
    idcheck_core::invitation::normalise(written)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The API's base URL, without a trailing slash (`/api`, `https://spaces.nexudus.com/api`).
    pub api_base: String,
    /// Empty when the member comes from an invitation (see `access`) or a token provider.
    pub token: String,
    /// Whose visit it is. With an invitation, `token`, `settings.business_id`,
    /// `settings.coworker_id` and `settings.purpose` are replaced by what redeeming it hands over.
    pub access: Access,
    pub settings: Settings,
    pub image: ImageOptions,
    pub uploads: Uploads,
    /// The language to start in; otherwise the browser's preference (among `languages`) decides.
    pub lang: Option<Lang>,
    /// The languages the member may choose from, in the host's order; empty for all of them. A
    /// single one imposes it (no language switch is shown).
    pub languages: Vec<Lang>,
    /// Seconds between two status checks after submitting, while the status changes (polling
    /// slows down while it does not).
    pub poll_seconds: u32,
    /// How long each kind of request may go unanswered before it is given up.
    pub deadlines: Deadlines,
    pub mode: Mode,
    /// Whether the steps follow the browser's back button (the standalone page; a widget shares
    /// the host's history and stays out of it).
    pub history: bool,
    pub provider: Provider,
}

/// How long a request may go unanswered before it is given up as lost (and retried), per kind:
/// the `request-timeout` setting, in seconds, for reads and writes; uploads, which carry images
/// over a phone's uplink, get twice as long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub read_ms: u32,
    pub write_ms: u32,
    pub upload_ms: u32,
}

impl Deadlines {
    pub fn from_seconds(seconds: u32) -> Deadlines {
        let ms = seconds.saturating_mul(1000);
        Deadlines {
            read_ms: ms,
            write_ms: ms,
            upload_ms: ms.saturating_mul(2),
        }
    }
}

impl Default for Deadlines {
    fn default() -> Deadlines {
        Deadlines::from_seconds(30)
    }
}

/// Who verifies the identity: the operator, reviewing images in Nexudus, or MasStack.
#[derive(Debug, Clone, PartialEq)]
pub enum Provider {
    Nexudus,
    MasStack(MasStackSettings),
}

/// How identifications are created with MasStack (seed 004).
#[derive(Debug, Clone, PartialEq)]
pub struct MasStackSettings {
    /// Base URL of the MasStack API, without a trailing slash (`/v1` on our local server).
    pub api_base: String,
    /// The tenant, e.g. `masmovil`.
    pub org: String,
    pub configuration: Option<ConfigurationName>,
    /// An ISO-8601 duration of 30 days at most.
    pub expires_in: String,
    pub scoring: Option<ScoringProvider>,
}

/// One setting the component cannot work with, named as the host wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub setting: &'static str,
    pub message: String,
}

const DEFAULT_CHECK_NAME: &str = "Identity check";

/// Reads the configuration from `(name, value)` pairs; the first pair with a name wins, so the
/// caller lists the mount element's attributes before the query string. A host with a token
/// provider needs no `token`; an `invitation`, or a kiosk without `token` and `coworker`, needs
/// no `token`, `business` or `coworker` (the member's code names them).
pub fn parse<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    has_token_provider: bool,
) -> Result<Config, Vec<Problem>> {
    let pairs: Vec<(&str, &str)> = pairs.into_iter().collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    };
    let mut problems = Vec::new();
    let mut problem = |setting: &'static str, message: String| {
        problems.push(Problem { setting, message });
    };

    // The MasStack provider identifies a person, not a Nexudus coworker: it needs no ids.
    let provider_name = get("provider").unwrap_or("nexudus");
    let masstack = provider_name == "masstack";
    // Who the member is: the settings say, an invitation says, or (a kiosk without a member) each
    // person types their code.
    let handoff = pairs
        .iter()
        .find(|(key, _)| *key == "handoff")
        .map(|(_, code)| code.trim().to_string());
    let access = match (handoff, get("invitation")) {
        (Some(_), _) if masstack => {
            problem(
                "handoff",
                "works only with the nexudus provider (a hand-off carries a Nexudus check)".into(),
            );
            Access::Configured
        }
        (Some(code), _) => Access::Handoff(code),
        (None, invitation) => match invitation {
            Some(written) => match invitation_code(written) {
                Some(_) if masstack => {
                    problem(
                        "invitation",
                        "works only with the nexudus provider (an invitation names Nexudus checks)"
                            .into(),
                    );
                    Access::Configured
                }
                Some(code) => Access::Invitation(code),
                None => {
                    problem(
                        "invitation",
                        format!(
                            "must be an invitation code of {INVITATION_CODE_LENGTH} letters and digits (spaces and dashes are ignored), not `{written}`"
                        ),
                    );
                    Access::Invitation(String::new())
                }
            },
            None if get("mode") == Some("kiosk")
                && !masstack
                && get("token").is_none()
                && get("coworker").is_none() =>
            {
                Access::AskForCode
            }
            None => Access::Configured,
        },
    };
    let member_from_code = access != Access::Configured;

    if get("token-in-query").is_some() {
        problem(
            "token",
            "was in the address's query string, where it stays in the browser's history and is sent \
             to other sites: give it after a # instead (`#token=…`)"
                .into(),
        );
    }
    let token = get("token").map(str::to_string).unwrap_or_else(|| {
        if !has_token_provider && !member_from_code && get("token-in-query").is_none() {
            problem(
                "token",
                "is missing: the component needs a bearer token (or a token provider) to call the API"
                    .into(),
            );
        }
        String::new()
    });
    let needs_ids = !masstack && !member_from_code;
    let mut id = |setting: &'static str| match get(setting).map(str::parse::<i64>) {
        Some(Ok(id)) if id > 0 => id,
        None if !needs_ids => 0,
        Some(_) => {
            problem(
                setting,
                format!(
                    "must be a positive whole number, not `{}`",
                    get(setting).unwrap_or("")
                ),
            );
            0
        }
        None => {
            problem(setting, "is missing".into());
            0
        }
    };
    let business_id = id("business");
    let coworker_id = id("coworker");

    let purpose = match get("verify").map(str::to_ascii_lowercase).as_deref() {
        None | Some("ask") => PurposeSetting::Ask,
        Some("identity") => PurposeSetting::Only(Purpose::Identity),
        Some("address") => PurposeSetting::Only(Purpose::Address),
        Some("both") => PurposeSetting::Both,
        Some(other) => {
            problem(
                "verify",
                format!("must be ask, identity, address or both, not `{other}`"),
            );
            PurposeSetting::Ask
        }
    };
    let identity_types =
        enum_list::<IdentityDocumentType>(get("identity-types")).unwrap_or_else(|message| {
            problem("identity-types", message);
            Vec::new()
        });
    let address_types =
        enum_list::<AddressDocumentType>(get("address-types")).unwrap_or_else(|message| {
            problem("address-types", message);
            Vec::new()
        });

    let max_side = match get("image-max").map(str::parse::<u32>) {
        None => DEFAULT_IMAGE.max_side,
        Some(Ok(side)) if (640..=4096).contains(&side) => side,
        Some(_) => {
            problem(
                "image-max",
                "must be a whole number of pixels from 640 to 4096".into(),
            );
            DEFAULT_IMAGE.max_side
        }
    };
    let quality = match get("image-quality").map(decimal) {
        None => DEFAULT_IMAGE.quality,
        Some(Some(quality)) if (0.5..=1.0).contains(&quality) => quality,
        Some(_) => {
            problem("image-quality", "must be a number from 0.5 to 1".into());
            DEFAULT_IMAGE.quality
        }
    };
    let uploads = match get("uploads") {
        None | Some("inline") => Uploads::Inline,
        Some("server") => Uploads::Server,
        Some(other) => {
            problem(
                "uploads",
                format!("must be server or inline, not `{other}`"),
            );
            Uploads::Inline
        }
    };
    let known = || {
        Lang::ALL
            .iter()
            .map(|lang| lang.tag())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lang = match get("lang") {
        None => None,
        Some(tag) => Lang::from_tag(tag).or_else(|| {
            problem("lang", format!("must be one of {}, not `{tag}`", known()));
            None
        }),
    };
    let mut languages = Vec::new();
    for tag in get("languages")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|tag| !tag.is_empty())
    {
        match Lang::from_tag(tag) {
            Some(lang) if !languages.contains(&lang) => languages.push(lang),
            Some(_) => {}
            None => problem(
                "languages",
                format!("must list languages among {}, not `{tag}`", known()),
            ),
        }
    }
    let mut seconds = |setting: &'static str,
                       default: u32,
                       range: std::ops::RangeInclusive<u32>| {
        match get(setting).map(str::parse::<u32>) {
            None => default,
            Some(Ok(value)) if range.contains(&value) => value,
            Some(_) => {
                problem(
                    setting,
                    format!(
                        "must be a whole number of seconds from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
        }
    };
    let poll_seconds = seconds("poll-seconds", 10, 1..=3600);
    let deadlines = Deadlines::from_seconds(seconds("request-timeout", 30, 1..=600));
    let idle_seconds = seconds("idle-seconds", 90, 10..=3600);
    let countdown_seconds = seconds("countdown-seconds", 15, 3..=120);
    let thanks_seconds = seconds("thanks-seconds", 10, 3..=600);
    let mut switch = |setting: &'static str, default: bool| match get(setting) {
        None => default,
        Some("true" | "on" | "yes" | "1") => true,
        Some("false" | "off" | "no" | "0") => false,
        Some(other) => {
            problem(setting, format!("must be true or false, not `{other}`"));
            default
        }
    };
    let fullscreen = switch("fullscreen", false);
    let history = switch("history", false);
    let mode = match get("mode") {
        None | Some("member") => Mode::Member,
        Some("kiosk") => Mode::Kiosk(Kiosk {
            idle_seconds,
            countdown_seconds,
            thanks_seconds,
            fullscreen,
        }),
        Some(other) => {
            problem("mode", format!("must be member or kiosk, not `{other}`"));
            Mode::Member
        }
    };
    let provider = match provider_name {
        "nexudus" => Provider::Nexudus,
        "masstack" => {
            let org = get("masstack-org").map(str::to_string).unwrap_or_else(|| {
                problem(
                    "masstack-org",
                    "is missing: the MasStack organisation, e.g. masmovil".into(),
                );
                String::new()
            });
            let configuration = choice(
                get("masstack-configuration"),
                ConfigurationName::parse,
                "LOW, MEDIUM or HIGH",
            )
            .unwrap_or_else(|message| {
                problem("masstack-configuration", message);
                None
            });
            let scoring = choice(
                get("masstack-scoring"),
                ScoringProvider::parse,
                "INTERNAL or EXTERNAL",
            )
            .unwrap_or_else(|message| {
                problem("masstack-scoring", message);
                None
            });
            let expires_in = get("masstack-expires-in").unwrap_or(masstack::DEFAULT_EXPIRES_IN);
            match masstack::parse_duration(expires_in) {
                Some(seconds) if seconds <= masstack::MAX_EXPIRES_IN_SECONDS => {}
                Some(_) => problem(
                    "masstack-expires-in",
                    "must be 30 days or less (MasStack's limit)".into(),
                ),
                None => problem(
                    "masstack-expires-in",
                    format!(
                        "must be an ISO-8601 duration such as P30D or PT72H, not `{expires_in}`"
                    ),
                ),
            }
            Provider::MasStack(MasStackSettings {
                api_base: get("masstack-api")
                    .unwrap_or("/v1")
                    .trim_end_matches('/')
                    .to_string(),
                org,
                configuration,
                expires_in: expires_in.to_string(),
                scoring,
            })
        }
        other => {
            problem(
                "provider",
                format!("must be nexudus or masstack, not `{other}`"),
            );
            Provider::Nexudus
        }
    };
    let api_base = get("api")
        .unwrap_or("/api")
        .trim_end_matches('/')
        .to_string();
    let check_name = get("name").unwrap_or(DEFAULT_CHECK_NAME).to_string();
    if let Some(violation) = idcheck_core::rules::check_name(&check_name) {
        problem("name", violation.message);
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Config {
        api_base,
        token,
        access,
        settings: Settings {
            business_id,
            coworker_id,
            check_name,
            purpose,
            identity_types,
            address_types,
        },
        image: ImageOptions { max_side, quality },
        uploads,
        lang,
        languages,
        poll_seconds,
        deadlines,
        mode,
        history,
        provider,
    })
}

/// A plain decimal number (`0.9`, `1`, `.85`). Written here rather than with `str::parse::<f64>`,
/// whose general float parser (exponents, infinities, correct rounding of any length) would be the
/// largest thing in the first load for one setting of two or three digits.
fn decimal(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.len() <= 9 && part.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let value = |part: &str| part.parse::<u32>().map_or(0.0, f64::from);
    Some(value(whole) + value(fraction) / 10f64.powi(fraction.len() as i32))
}

/// The settings a hand-off carries to the phone, so the check goes on there as the host set it up
/// here: the check's name, what to verify, the document types offered, the images, the pace and
/// the languages. Never the API, a token, the mode or the provider: the phone's page has its own,
/// and whatever else the other device sends is ignored.
pub const HANDED_ON: &[&str] = &[
    "name",
    "verify",
    "identity-types",
    "address-types",
    "image-max",
    "image-quality",
    "uploads",
    "poll-seconds",
    "request-timeout",
    "lang",
    "languages",
];

impl Config {
    /// The language to start in: the host's, else the browser's first preference it offers.
    pub fn starting_language(&self) -> Lang {
        self.lang
            .unwrap_or_else(|| crate::i18n::browser_language(&self.languages))
    }

    /// The [`HANDED_ON`] settings of this configuration as setting pairs, `lang` being the
    /// language shown now.
    pub fn handed_on(&self, lang: Lang) -> Vec<(String, String)> {
        let list = |codes: Vec<u16>| {
            codes
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        let settings = &self.settings;
        let verify = match settings.purpose {
            PurposeSetting::Ask => "ask",
            PurposeSetting::Only(Purpose::Identity) => "identity",
            PurposeSetting::Only(Purpose::Address) => "address",
            PurposeSetting::Both => "both",
        };
        let mut pairs = vec![
            ("name", settings.check_name.clone()),
            ("verify", verify.to_string()),
            (
                "identity-types",
                list(settings.identity_types.iter().map(|t| t.code()).collect()),
            ),
            (
                "address-types",
                list(settings.address_types.iter().map(|t| t.code()).collect()),
            ),
            ("image-max", self.image.max_side.to_string()),
            ("image-quality", self.image.quality.to_string()),
            (
                "uploads",
                match self.uploads {
                    Uploads::Server => "server",
                    Uploads::Inline => "inline",
                }
                .to_string(),
            ),
            ("poll-seconds", self.poll_seconds.to_string()),
            (
                "request-timeout",
                self.deadlines.read_ms.div_ceil(1000).to_string(),
            ),
            ("lang", lang.tag().to_string()),
            (
                "languages",
                self.languages
                    .iter()
                    .map(|lang| lang.tag())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        ];
        pairs.retain(|(_, value)| !value.is_empty());
        pairs
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }

    /// This configuration (the phone's page) carrying on the visit of member `coworker` of
    /// `business` with `token`, under the settings the other device `handed` on (only the
    /// [`HANDED_ON`] ones; if they do not read as valid settings, this page's own are kept). Also
    /// returns the setting pairs that make the same configuration again, for a reload.
    pub fn continuing(
        &self,
        token: &str,
        coworker: i64,
        business: i64,
        handed: &[(String, String)],
    ) -> (Config, Vec<(String, String)>) {
        let member = [
            ("token".to_string(), token.to_string()),
            ("business".to_string(), business.to_string()),
            ("coworker".to_string(), coworker.to_string()),
        ];
        let carried: Vec<(String, String)> = handed
            .iter()
            .filter(|(name, _)| HANDED_ON.contains(&name.as_str()))
            .cloned()
            .collect();
        let read = |pairs: &[(String, String)]| {
            parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), false).ok()
        };
        let with_carried: Vec<(String, String)> =
            carried.into_iter().chain(member.clone()).collect();
        let (theirs, pairs) = match read(&with_carried) {
            Some(theirs) => (Some(theirs), with_carried),
            None => (None, member.to_vec()),
        };
        let mut config = self.clone();
        config.token = token.to_string();
        // A kiosk that asks each person for a code keeps asking the next one.
        if matches!(config.access, Access::Handoff(_)) {
            config.access = Access::Configured;
        }
        config.settings.business_id = business;
        config.settings.coworker_id = coworker;
        if let Some(theirs) = theirs {
            config.settings = theirs.settings;
            config.image = theirs.image;
            config.uploads = theirs.uploads;
            config.poll_seconds = theirs.poll_seconds;
            config.deadlines = theirs.deadlines;
            config.lang = theirs.lang.or(config.lang);
            if !theirs.languages.is_empty() {
                config.languages = theirs.languages;
            }
        }
        (config, pairs)
    }
}

/// One of a string enum's values, upper-cased as the seed spells them; `names` lists the choices
/// for the message.
fn choice<T>(
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    names: &str,
) -> Result<Option<T>, String> {
    let Some(value) = value else { return Ok(None) };
    let value = value.to_ascii_uppercase();
    parse(&value)
        .map(Some)
        .ok_or_else(|| format!("must be {names}, not `{value}`"))
}

/// A comma-separated list of an API enum's values, by name (`Passport`) or number (`1`).
fn enum_list<T: ApiEnum>(value: Option<&str>) -> Result<Vec<T>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            T::ALL
                .iter()
                .copied()
                .filter(|choice| choice.code() != 0)
                .find(|choice| {
                    choice.api_name().eq_ignore_ascii_case(item)
                        || choice.code().to_string() == item
                })
                .ok_or_else(|| {
                    let names: Vec<&str> = T::ALL
                        .iter()
                        .filter(|choice| choice.code() != 0)
                        .map(|choice| choice.api_name())
                        .collect();
                    format!("`{item}` is not one of {}", names.join(", "))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn a_minimal_configuration_gets_the_defaults() {
        let config = parse(
            [("token", "t"), ("business", "1"), ("coworker", "7")],
            false,
        )
        .unwrap();
        assert_eq!(config.api_base, "/api");
        assert_eq!(config.settings.check_name, "Identity check");
        assert_eq!(config.settings.purpose, PurposeSetting::Ask);
        assert_eq!(config.image, DEFAULT_IMAGE);
        assert_eq!(config.uploads, Uploads::Inline);
    }

    #[test]
    fn attributes_come_before_the_query_string() {
        let config = parse(
            [
                ("business", "2"),
                ("token", "t"),
                ("business", "1"),
                ("coworker", "7"),
                ("api", "https://example.test/api/"),
                ("verify", "both"),
                ("identity-types", "passport, 3"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(config.settings.business_id, 2);
        assert_eq!(config.api_base, "https://example.test/api");
        assert_eq!(config.settings.purpose, PurposeSetting::Both);
        assert_eq!(
            config.settings.identity_types,
            vec![IdentityDocumentType::Passport, IdentityDocumentType::IdCard]
        );
    }

    #[test]
    fn every_bad_setting_is_reported_by_name() {
        let problems = parse(
            [
                ("business", "abc"),
                ("verify", "face"),
                ("address-types", "Passport,Castle"),
                ("image-quality", "2"),
            ],
            false,
        )
        .unwrap_err();
        let settings: Vec<&str> = problems.iter().map(|p| p.setting).collect();
        assert_eq!(
            settings,
            [
                "token",
                "business",
                "coworker",
                "verify",
                "address-types",
                "image-quality"
            ]
        );
        assert!(problems[4].message.contains("`Castle` is not one of"));
    }

    #[test]
    fn the_image_quality_is_a_plain_decimal() {
        let quality = |written: &str| {
            parse(
                [
                    ("token", "t"),
                    ("business", "1"),
                    ("coworker", "7"),
                    ("image-quality", written),
                ],
                false,
            )
            .map(|config| config.image.quality)
            .map_err(|problems| problems[0].setting)
        };
        assert_eq!(quality("0.85"), Ok(0.85));
        assert_eq!(quality(".5"), Ok(0.5));
        assert_eq!(quality("1"), Ok(1.0));
        assert_eq!(quality("1.0"), Ok(1.0));
        assert_eq!(quality("0.75 "), Ok(0.75));
        for bad in [
            "0.4", "1.01", "1e0", "0,9", "-0.9", "+0.9", "0.9.1", ".", "NaN", "inf",
        ] {
            assert_eq!(quality(bad), Err("image-quality"), "{bad}");
        }
    }

    #[test]
    fn a_token_provider_stands_in_for_the_token() {
        assert!(parse([("business", "1"), ("coworker", "7")], true).is_ok());
    }

    #[test]
    fn the_masstack_provider_needs_its_org_and_no_coworker() {
        let config = parse(
            [
                ("token", "t"),
                ("provider", "masstack"),
                ("masstack-org", "masmovil"),
                ("masstack-configuration", "high"),
            ],
            false,
        )
        .unwrap();
        let Provider::MasStack(settings) = config.provider else {
            panic!("not MasStack");
        };
        assert_eq!(settings.org, "masmovil");
        assert_eq!(settings.configuration, Some(ConfigurationName::High));
        assert_eq!(settings.expires_in, "P30D");
        let problems = parse(
            [
                ("token", "t"),
                ("provider", "masstack"),
                ("masstack-expires-in", "P31D"),
            ],
            false,
        )
        .unwrap_err();
        let settings: Vec<&str> = problems.iter().map(|p| p.setting).collect();
        assert_eq!(settings, ["masstack-org", "masstack-expires-in"]);
    }

    #[test]
    fn an_invitation_stands_in_for_the_token_and_the_ids() {
        let config = parse([("invitation", "k7m3-qx9a")], false).unwrap();
        assert_eq!(config.access, Access::Invitation("K7M3QX9A".into()));
        assert_eq!(config.token, "");
        assert_eq!(config.mode, Mode::Member);
        // Ids that are given are still checked, though the invitation's replace them.
        let problems = parse([("invitation", "K7M3 QX9"), ("business", "x")], false).unwrap_err();
        let settings: Vec<&str> = problems.iter().map(|p| p.setting).collect();
        assert_eq!(settings, ["invitation", "business"]);
        assert!(problems[0].message.contains("8 letters and digits"));
        // An invitation names Nexudus checks: MasStack cannot use it.
        let problems = parse(
            [
                ("invitation", "K7M3QX9A"),
                ("token", "t"),
                ("provider", "masstack"),
                ("masstack-org", "masmovil"),
            ],
            false,
        )
        .unwrap_err();
        let settings: Vec<&str> = problems.iter().map(|p| p.setting).collect();
        assert_eq!(settings, ["invitation"]);
        // Without an invitation a member still needs all three.
        let config = parse(
            [("token", "t"), ("business", "1"), ("coworker", "7")],
            false,
        )
        .unwrap();
        assert_eq!(config.access, Access::Configured);
    }

    #[test]
    fn a_kiosk_without_a_member_asks_each_person_for_a_code() {
        for settings in [
            &[("mode", "kiosk")][..],
            &[("mode", "kiosk"), ("business", "1")],
            &[
                ("mode", "kiosk"),
                ("idle-seconds", "30"),
                ("fullscreen", "true"),
            ],
        ] {
            let config = parse(settings.iter().copied(), false).unwrap();
            assert_eq!(config.access, Access::AskForCode, "{settings:?}");
            assert!(matches!(config.mode, Mode::Kiosk(_)));
        }
        // A token provider does not make a kiosk one member's: it still asks for codes.
        assert_eq!(
            parse([("mode", "kiosk")], true).unwrap().access,
            Access::AskForCode
        );
        // A kiosk with a fixed member works as before.
        let config = parse(
            [
                ("mode", "kiosk"),
                ("token", "t"),
                ("business", "1"),
                ("coworker", "7"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(config.access, Access::Configured);
        // A token without a coworker is a half-configured member, not a code kiosk.
        let problems = parse([("mode", "kiosk"), ("token", "t")], false).unwrap_err();
        let settings: Vec<&str> = problems.iter().map(|p| p.setting).collect();
        assert_eq!(settings, ["business", "coworker"]);
        // A member's own browser never asks for a code by itself.
        let problems = parse([("mode", "member")], false).unwrap_err();
        let settings: Vec<&str> = problems.iter().map(|p| p.setting).collect();
        assert_eq!(settings, ["token", "business", "coworker"]);
        // A kiosk with an invitation redeems it rather than asking.
        assert_eq!(
            parse([("mode", "kiosk"), ("invitation", "K7M3QX9A")], false)
                .unwrap()
                .access,
            Access::Invitation("K7M3QX9A".into())
        );
    }

    #[test]
    fn kiosk_mode_takes_its_timings() {
        let config = parse(
            [
                ("token", "t"),
                ("business", "1"),
                ("coworker", "7"),
                ("mode", "kiosk"),
                ("idle-seconds", "30"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(
            config.mode,
            Mode::Kiosk(Kiosk {
                idle_seconds: 30,
                countdown_seconds: 15,
                thanks_seconds: 10,
                fullscreen: false
            })
        );
        let problems = parse(
            [
                ("token", "t"),
                ("business", "1"),
                ("coworker", "7"),
                ("mode", "lobby"),
                ("idle-seconds", "1"),
            ],
            false,
        )
        .unwrap_err();
        let settings: Vec<&str> = problems.iter().map(|p| p.setting).collect();
        assert_eq!(settings, ["idle-seconds", "mode"]);
    }

    #[test]
    fn a_hand_off_needs_no_token_and_carries_the_check_as_set_up() {
        let page = parse([("handoff", "  "), ("history", "true")], false).unwrap();
        assert_eq!(page.access, Access::Handoff(String::new()));
        let laptop = parse(
            [
                ("token", "t"),
                ("business", "1"),
                ("coworker", "7"),
                ("verify", "both"),
                ("identity-types", "Passport,IdCard"),
                ("uploads", "server"),
                ("image-max", "800"),
                ("name", "Membership check"),
                ("mode", "kiosk"),
                ("api", "https://elsewhere.example/api"),
            ],
            false,
        )
        .unwrap();
        let mut handed = laptop.handed_on(Lang::De);
        // Whatever else the other device sends is not taken.
        handed.push(("api".into(), "https://evil.example".into()));
        handed.push(("mode".into(), "kiosk".into()));
        let (phone, again) = page.continuing("phone-token", 7, 1, &handed);
        assert_eq!(phone.token, "phone-token");
        assert_eq!(phone.access, Access::Configured);
        assert_eq!(phone.api_base, "/api");
        assert_eq!(phone.mode, Mode::Member);
        assert!(phone.history);
        assert_eq!(phone.settings.coworker_id, 7);
        assert_eq!(phone.settings.purpose, PurposeSetting::Both);
        assert_eq!(
            phone.settings.identity_types,
            [IdentityDocumentType::Passport, IdentityDocumentType::IdCard]
        );
        assert_eq!(phone.settings.check_name, "Membership check");
        assert_eq!(phone.uploads, Uploads::Server);
        assert_eq!(phone.image.max_side, 800);
        assert_eq!(phone.lang, Some(Lang::De));
        // A reload reads the same visit back from the kept settings.
        let reloaded = parse(again.iter().map(|(k, v)| (k.as_str(), v.as_str())), false).unwrap();
        assert_eq!(reloaded.settings, phone.settings);
        assert_eq!(reloaded.token, "phone-token");
        // Settings that do not read are dropped whole: the page's own apply.
        let (plain, _) = page.continuing("t2", 7, 1, &[("verify".into(), "face".into())]);
        assert_eq!(plain.settings.purpose, PurposeSetting::Ask);
        assert_eq!(plain.settings.coworker_id, 7);
    }
}
