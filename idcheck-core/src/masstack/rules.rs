//! MasStack's rules, which both the browser and the local server apply: the NIF/NIE check
//! letters, passports, countries, durations, names and reasons, and whole create and cancel
//! requests. As in [`crate::rules`], each rule reports every violation at once and the server
//! answers with exactly these, so a member sees in the browser what the server would say. Like the
//! rest of the core this reads no clock: the server turns the checked duration into an
//! `expires_at` itself.

use super::model::{
    CancelIdentificationRequest, ConfigurationName, CreateIdentityDocumentIdentificationRequest,
    DocumentType, Identification, IdentityDocument, MasCode, Scoring, ScoringProvider,
};
use super::state::IdentificationState;
use crate::violation::Violation;

/// The longest `name` or `last_name`, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// The longest cancel `reason`, in characters.
pub const REASON_MAX_CHARS: usize = 500;
/// The longest an identification may stay open: 30 days, the seed's maximum for `expires_in`.
pub const MAX_EXPIRES_IN_SECONDS: u64 = 30 * SECONDS_PER_DAY;
/// The seed's default `expires_in`.
pub const DEFAULT_EXPIRES_IN: &str = "P30D";
/// The letters of a Spanish NIF or NIE, indexed by the number modulo 23.
pub const CHECK_LETTERS: &str = "TRWAGMYFPDXBNJZSQVHLCKE";

const SECONDS_PER_DAY: u64 = 86_400;
const PASSPORT_MIN_CHARS: usize = 5;
const PASSPORT_MAX_CHARS: usize = 20;

/// The `field` of each violation, as a path of JSON names, so the browser can put a server's
/// error next to the input it belongs to.
pub mod field {
    pub const NAME: &str = "name";
    pub const LAST_NAME: &str = "last_name";
    pub const IDENTITY_DOCUMENT: &str = "identity_document";
    pub const DOCUMENT_NUMBER: &str = "identity_document.document_number";
    pub const DOCUMENT_TYPE: &str = "identity_document.document_type";
    pub const COUNTRY: &str = "identity_document.country";
    pub const CONFIGURATION_NAME: &str = "configuration_name";
    pub const EXPIRES_IN: &str = "expires_in";
    pub const SCORING_PROVIDER: &str = "scoring.provider";
    pub const REASON: &str = "reason";
}

// MasStack's violations in its own words. They are functions rather than `Violation::…`
// constructors because those (`Violation::required`…) are Nexudus's words, and one name cannot
// mean both.

/// `field` is missing or blank.
pub fn required(field: &str) -> Violation<MasCode> {
    Violation::new(field, MasCode::Required, "is required")
}

/// `field` is not one of `choices`, e.g. an enum text serde refused.
pub fn invalid_choice(field: &str, choices: &[&str]) -> Violation<MasCode> {
    let message = format!("must be one of {}", choices.join(", "));
    Violation::new(field, MasCode::InvalidChoice, message)
}

/// `field` does not have the shape `expected` describes.
pub fn invalid_format(field: &str, expected: &str) -> Violation<MasCode> {
    Violation::new(field, MasCode::InvalidFormat, format!("must be {expected}"))
}

/// `field` is longer than `max` characters.
pub fn too_long(field: &str, max: usize) -> Violation<MasCode> {
    let message = format!("must be at most {max} characters long");
    Violation::new(field, MasCode::TooLong, message)
}

/// The check letter of a NIF's number (or an NIE's, its X, Y, Z read as 0, 1, 2; or a K, L or M
/// NIF's, its 7 digits alone).
pub fn nif_check_letter(number: u32) -> char {
    // 23 letters, all ASCII: the index is in range and one byte is one character.
    char::from(CHECK_LETTERS.as_bytes()[(number % 23) as usize])
}

/// Checks a document number for its type and returns it normalised: trimmed, without spaces or
/// hyphens, upper case. A NIF is 8 digits and its check letter, or K, L or M, 7 digits and their
/// check letter; an NIE is X, Y or Z, 7 digits and its check letter; a passport, which has no check
/// digit we could verify, is 5 to 20 letters and digits.
pub fn check_document_number(
    kind: DocumentType,
    number: &str,
) -> Result<String, Violation<MasCode>> {
    let normalised = normalise_document_number(number);
    if normalised.is_empty() {
        return Err(required(field::DOCUMENT_NUMBER));
    }
    match kind {
        DocumentType::Nif | DocumentType::Nie => check_spanish_number(kind, &normalised),
        DocumentType::Passport => check_passport(&normalised),
    }
    .map(|()| normalised)
}

fn normalise_document_number(number: &str) -> String {
    number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// A normalised NIF or NIE: its shape, then its check letter.
fn check_spanish_number(kind: DocumentType, number: &str) -> Result<(), Violation<MasCode>> {
    let expected_shape = match kind {
        DocumentType::Nie => "X, Y or Z, 7 digits and a letter, e.g. X1234567L",
        _ => {
            "8 digits and a letter, e.g. 12345678Z, or K, L or M, 7 digits and a letter, e.g. K1234567L"
        }
    };
    let (value, letter) = checked_part(kind, number)
        .ok_or_else(|| invalid_format(field::DOCUMENT_NUMBER, expected_shape))?;
    let expected = nif_check_letter(value);
    if letter == expected {
        Ok(())
    } else {
        Err(Violation::new(
            field::DOCUMENT_NUMBER,
            MasCode::WrongCheckLetter { expected },
            format!("the check letter should be {expected}"),
        ))
    }
}

/// The number a NIF's or an NIE's check letter is computed from, and the letter it carries; `None`
/// when it is not shaped as its type requires.
///
/// A DNI's NIF is 8 digits. The other NIFs and the NIEs are a leading letter and 7 digits: an NIE's
/// X, Y or Z counts as a leading 0, 1 or 2; the K, L and M of a NIF (a Spaniard under 14 or living
/// abroad without a DNI, a foreigner without an NIE) count for nothing, so their letter is the
/// 7 digits' own.
fn checked_part(kind: DocumentType, number: &str) -> Option<(u32, char)> {
    let mut chars = number.chars();
    let leading = match (kind, chars.next()?) {
        (DocumentType::Nie, 'X') => Some(0),
        (DocumentType::Nie, 'Y') => Some(1),
        (DocumentType::Nie, 'Z') => Some(2),
        (DocumentType::Nif, 'K' | 'L' | 'M') => Some(0),
        (DocumentType::Nif, _) => None,
        _ => return None,
    };
    let (digits, rest) = match leading {
        Some(_) => (7, chars.as_str()),
        None => (8, number),
    };
    let (body, letter) = split_check_letter(rest, digits)?;
    let body: u32 = body.parse().ok()?;
    Some((leading.unwrap_or(0) * 10_000_000 + body, letter))
}

/// `12345678Z` as (`12345678`, `Z`) when it is exactly `digits` ASCII digits and an ASCII letter.
fn split_check_letter(number: &str, digits: usize) -> Option<(&str, char)> {
    let letter = number.chars().last()?;
    let body = &number[..number.len() - letter.len_utf8()];
    let shaped = letter.is_ascii_uppercase()
        && body.len() == digits
        && body.bytes().all(|b| b.is_ascii_digit());
    shaped.then_some((body, letter))
}

fn check_passport(number: &str) -> Result<(), Violation<MasCode>> {
    let length_ok = (PASSPORT_MIN_CHARS..=PASSPORT_MAX_CHARS).contains(&number.len());
    if length_ok && number.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(invalid_format(
            field::DOCUMENT_NUMBER,
            "5 to 20 letters and digits",
        ))
    }
}

/// Checks an ISO 3166-1 alpha-2 country code against the official list and returns it in upper
/// case.
pub fn check_country(code: &str) -> Result<String, Violation<MasCode>> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(required(field::COUNTRY));
    }
    if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        let expected = "a two-letter ISO 3166-1 country code, e.g. ES";
        return Err(invalid_format(field::COUNTRY, expected));
    }
    if COUNTRY_CODES.binary_search(&code.as_str()).is_err() {
        return Err(Violation::new(
            field::COUNTRY,
            MasCode::UnknownCountry,
            "is not an ISO 3166-1 country code",
        ));
    }
    Ok(code)
}

/// Every officially assigned ISO 3166-1 alpha-2 code (249), sorted so it can be searched.
/// User-assigned codes such as `XK` and reserved ones such as `UK` or `EU` are not countries here.
pub const COUNTRY_CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// The length in seconds of an ISO-8601 duration made of weeks, days, hours, minutes and seconds
/// (`P2W`, `P30D`, `PT12H`, `P1DT12H30M`), designators in order. Its last part may carry a decimal
/// fraction, with `.` or `,` as ISO 8601 allows (`PT0.5H`, `P1.5D`, `PT1,5M`), of up to
/// [`MAX_FRACTION_DIGITS`] digits; a length that is not a whole number of seconds is rounded up, so
/// the limits judge the length asked for (`PT0.5S` is longer than zero, `P30DT0.5S` longer than
/// 30 days). Years and months are refused: how long they are depends on the day they start, and
/// the 30-day limit must not. Lower case is read as upper case.
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_uppercase();
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, time),
        Some(_) => return None,
        None if rest.is_empty() => return None,
        None => (rest, ""),
    };
    let mut parts = duration_parts(date, &[('W', 7 * SECONDS_PER_DAY), ('D', SECONDS_PER_DAY)])?;
    parts.extend(duration_parts(time, &[('H', 3_600), ('M', 60), ('S', 1)])?);
    // Only the smallest part given may be fractional: `P1.5DT2H` says the half day twice.
    let (_, earlier) = parts.split_last()?;
    if earlier.iter().any(|part| part.fraction.is_some()) {
        return None;
    }
    parts
        .iter()
        .try_fold(0u64, |total, part| total.checked_add(part.seconds()?))
}

/// The most digits a duration's fraction may have: as many as a `u64` always holds.
pub const MAX_FRACTION_DIGITS: usize = 18;

/// One `number designator` part of a duration, e.g. `1.5D`.
struct DurationPart {
    whole: u64,
    /// The digits after the decimal sign, as a number and a count (`5` and 1 for `.5`).
    fraction: Option<(u64, u32)>,
    /// The seconds of one unit of the designator.
    unit: u64,
}

impl DurationPart {
    /// Its length in seconds, a fraction of a second rounded up; `None` on overflow.
    fn seconds(&self) -> Option<u64> {
        let whole = self.whole.checked_mul(self.unit)?;
        let Some((fraction, digits)) = self.fraction else {
            return Some(whole);
        };
        // Below 10^18 times a week's seconds: well within a u128.
        let scaled = (u128::from(fraction) * u128::from(self.unit)).div_ceil(10u128.pow(digits));
        whole.checked_add(u64::try_from(scaled).ok()?)
    }
}

/// The `number designator` parts of `text`, each designator one of `units`, in their order; a
/// number is digits, optionally followed by `.` or `,` and more digits.
fn duration_parts(text: &str, units: &[(char, u64)]) -> Option<Vec<DurationPart>> {
    fn digits(text: &str) -> (&str, &str) {
        text.split_at(
            text.find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len()),
        )
    }
    let mut parts = Vec::new();
    let mut rest = text;
    let mut remaining = units;
    while !rest.is_empty() {
        let (whole, after) = digits(rest);
        if whole.is_empty() {
            return None;
        }
        rest = after;
        let mut fraction = None;
        if let Some(after) = rest.strip_prefix(['.', ',']) {
            let (decimals, after) = digits(after);
            if decimals.is_empty() || decimals.len() > MAX_FRACTION_DIGITS {
                return None;
            }
            fraction = Some((decimals.parse().ok()?, u32::try_from(decimals.len()).ok()?));
            rest = after;
        }
        let designator = rest.chars().next()?;
        let position = remaining.iter().position(|(unit, _)| *unit == designator)?;
        parts.push(DurationPart {
            whole: whole.parse().ok()?,
            fraction,
            unit: remaining[position].1,
        });
        remaining = &remaining[position + 1..];
        rest = &rest[designator.len_utf8()..];
    }
    Some(parts)
}

/// `seconds` as the shortest ISO-8601 duration in days, hours, minutes and seconds (`P30D`,
/// `P1DT12H`, `PT0S`): one spelling per length, so equal durations are stored and shown alike.
pub fn format_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "PT0S".to_owned();
    }
    let days = seconds / SECONDS_PER_DAY;
    let clock = [
        (seconds % SECONDS_PER_DAY / 3_600, 'H'),
        (seconds % 3_600 / 60, 'M'),
        (seconds % 60, 'S'),
    ];
    let mut text = String::from("P");
    if days > 0 {
        text.push_str(&format!("{days}D"));
    }
    if clock.iter().any(|(n, _)| *n > 0) {
        text.push('T');
    }
    for (n, unit) in clock.into_iter().filter(|(n, _)| *n > 0) {
        text.push_str(&format!("{n}{unit}"));
    }
    text
}

/// `expires_in`: a duration [`parse_duration`] reads, longer than zero and at most
/// [`MAX_EXPIRES_IN_SECONDS`]; returns its seconds.
pub fn check_expires_in(text: &str) -> Result<u64, Violation<MasCode>> {
    let invalid =
        |message: &str| Violation::new(field::EXPIRES_IN, MasCode::InvalidDuration, message);
    match parse_duration(text) {
        None => Err(invalid(
            "must be an ISO-8601 duration in weeks, days, hours, minutes or seconds, e.g. P30D or PT12H",
        )),
        Some(0) => Err(invalid("must be longer than zero")),
        Some(seconds) if seconds > MAX_EXPIRES_IN_SECONDS => Err(Violation::new(
            field::EXPIRES_IN,
            MasCode::DurationTooLong,
            format!("must be at most 30 days ({DEFAULT_EXPIRES_IN})"),
        )),
        Some(seconds) => Ok(seconds),
    }
}

/// `name` or `last_name` (given as `field`): optional, at most [`NAME_MAX_CHARS`] once trimmed.
pub fn check_person_name(field: &str, name: &str) -> Option<Violation<MasCode>> {
    (name.trim().chars().count() > NAME_MAX_CHARS).then(|| too_long(field, NAME_MAX_CHARS))
}

/// A create request that broke no rule, normalised as the server stores and answers it: names
/// trimmed (blank ones dropped), the document number as [`check_document_number`] returns it, the
/// country in upper case, and `expires_in` in [`format_duration`]'s spelling, defaulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCreateRequest {
    pub name: Option<String>,
    pub last_name: Option<String>,
    pub document_number: String,
    pub document_type: DocumentType,
    pub country: Option<String>,
    pub configuration_name: Option<ConfigurationName>,
    pub expires_in: String,
    /// `expires_in` in seconds, for the server's `expires_at`.
    pub expires_in_seconds: u64,
    pub scoring_provider: Option<ScoringProvider>,
}

impl ValidCreateRequest {
    /// The identification this request creates: pending, with the data sent.
    pub fn into_identification(
        self,
        id: String,
        org_id: String,
        created_at: String,
        expires_at: String,
    ) -> Identification {
        Identification {
            id,
            org_id,
            state: IdentificationState::Pending,
            name: self.name,
            last_name: self.last_name,
            identity_document: IdentityDocument {
                document_number: Some(self.document_number),
                document_type: Some(self.document_type),
                country: self.country,
            },
            configuration_name: self.configuration_name,
            expires_in: self.expires_in,
            expires_at,
            scoring: self.scoring_provider.map(|provider| Scoring {
                provider: Some(provider),
            }),
            created_at,
            cancel_reason: None,
        }
    }
}

/// Every violation of a create request, in field order: see [`validate_create_request`].
pub fn check_create_request(
    request: &CreateIdentityDocumentIdentificationRequest,
) -> Vec<Violation<MasCode>> {
    validate_create_request(request).err().unwrap_or_default()
}

/// Checks a create request and normalises it, or returns every violation in field order.
///
/// `identity_document` is required, and inside it `document_number` and `document_type`; the
/// number is checked for its type; `country` and `expires_in` are optional but checked when given
/// and not blank. The enums need no rule here: serde refuses an unknown text.
pub fn validate_create_request(
    request: &CreateIdentityDocumentIdentificationRequest,
) -> Result<ValidCreateRequest, Vec<Violation<MasCode>>> {
    let mut found = Violations::default();
    let name = found.keep(checked_name(field::NAME, request.name.as_deref()));
    let last_name = found.keep(checked_name(field::LAST_NAME, request.last_name.as_deref()));
    let document = found.keep(
        request
            .identity_document
            .as_ref()
            .ok_or_else(|| required(field::IDENTITY_DOCUMENT)),
    );
    // Without a document its parts are not reported again: the one violation says it all.
    let number = document.and_then(|d| found.keep(checked_number(d)));
    let kind = document.and_then(|d| {
        found.keep(
            d.document_type
                .ok_or_else(|| required(field::DOCUMENT_TYPE)),
        )
    });
    let country = document.and_then(|d| found.keep(checked_country(d.country.as_deref())));
    let expires = found.keep(checked_expires_in(request.expires_in.as_deref()));
    // Every part is `Some` exactly when nothing was reported.
    let (Some(name), Some(last_name), Some(Some(number)), Some(kind), Some(country), Some(expires)) =
        (name, last_name, number, kind, country, expires)
    else {
        return Err(found.0);
    };
    Ok(ValidCreateRequest {
        name,
        last_name,
        document_number: number,
        document_type: kind,
        country,
        configuration_name: request.configuration_name,
        expires_in: format_duration(expires),
        expires_in_seconds: expires,
        scoring_provider: request.scoring.as_ref().and_then(|s| s.provider),
    })
}

/// Every violation of a cancel request: see [`validate_cancel_request`].
pub fn check_cancel_request(request: &CancelIdentificationRequest) -> Vec<Violation<MasCode>> {
    validate_cancel_request(request).err().unwrap_or_default()
}

/// The trimmed `reason` of a cancel request: required, not blank, at most [`REASON_MAX_CHARS`].
pub fn validate_cancel_request(
    request: &CancelIdentificationRequest,
) -> Result<String, Vec<Violation<MasCode>>> {
    let reason = request.reason.as_deref().unwrap_or("").trim();
    if reason.is_empty() {
        Err(vec![required(field::REASON)])
    } else if reason.chars().count() > REASON_MAX_CHARS {
        Err(vec![too_long(field::REASON, REASON_MAX_CHARS)])
    } else {
        Ok(reason.to_owned())
    }
}

/// The violations found so far, in the order the fields were checked.
#[derive(Default)]
struct Violations(Vec<Violation<MasCode>>);

impl Violations {
    /// The checked value, or `None` after recording why there is none.
    fn keep<T>(&mut self, result: Result<T, Violation<MasCode>>) -> Option<T> {
        result.map_err(|violation| self.0.push(violation)).ok()
    }
}

fn checked_name(field: &str, name: Option<&str>) -> Result<Option<String>, Violation<MasCode>> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    match name.and_then(|n| check_person_name(field, n)) {
        Some(violation) => Err(violation),
        None => Ok(name.map(str::to_owned)),
    }
}

/// The normalised number, or `None` when there is no type to check it against; a blank number is
/// reported whatever the type.
fn checked_number(document: &IdentityDocument) -> Result<Option<String>, Violation<MasCode>> {
    let number = document.document_number.as_deref().unwrap_or("");
    match document.document_type {
        Some(kind) => check_document_number(kind, number).map(Some),
        None if normalise_document_number(number).is_empty() => {
            Err(required(field::DOCUMENT_NUMBER))
        }
        None => Ok(None),
    }
}

fn checked_country(code: Option<&str>) -> Result<Option<String>, Violation<MasCode>> {
    match code.map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => check_country(code).map(Some),
    }
}

/// The seconds of `expires_in`, [`DEFAULT_EXPIRES_IN`]'s when it is absent or blank.
fn checked_expires_in(text: Option<&str>) -> Result<u64, Violation<MasCode>> {
    match text.map(str::trim) {
        None | Some("") => Ok(MAX_EXPIRES_IN_SECONDS),
        Some(text) => check_expires_in(text),
    }
}
