//! Calendar dates without a clock: document expiry dates are compared with a "today" the caller
//! passes in, so the rules stay pure and the browser and the server agree on them.

use std::fmt;
use std::str::FromStr;

use crate::error::CoreError;

/// A real date of the proleptic Gregorian calendar.
///
/// The fields are private so that every `Date` is a real date: build one with [`Date::new`],
/// [`Date::parse`] or [`Date::from_days_since_epoch`]. Dates order chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: i32,
    month: u8,
    day: u8,
}

/// Days from 0000-03-01 to 1970-01-01 in the civil-from-days algorithm below.
const EPOCH_SHIFT: i64 = 719_468;
/// Days in a 400-year era of the Gregorian calendar.
const DAYS_PER_ERA: i64 = 146_097;

impl Date {
    /// The earliest representable date.
    pub const MIN: Date = Date {
        year: i32::MIN,
        month: 1,
        day: 1,
    };
    /// The latest representable date.
    pub const MAX: Date = Date {
        year: i32::MAX,
        month: 12,
        day: 31,
    };

    /// The date `year-month-day`, or `None` when there is no such day (month 13, 30 February,
    /// 29 February of a common year).
    pub const fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month) {
            Some(Date { year, month, day })
        } else {
            None
        }
    }

    /// The year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub const fn day(self) -> u8 {
        self.day
    }

    /// Reads `YYYY-MM-DD`, or an ISO 8601 date-time whose date part is that
    /// (`2030-05-01T00:00:00Z`, `2030-05-01T00:00:00.000+02:00`, `2030-05-01T00:00`).
    ///
    /// The date is taken as written, whatever the offset: an expiry date printed on a document is a
    /// calendar day, not an instant.
    pub fn parse(text: &str) -> Option<Date> {
        let (date, time) = text.split_at_checked(10)?;
        let time_ok = match time.strip_prefix('T') {
            Some(time) => is_time_of_day(time),
            None => time.is_empty(),
        };
        if time_ok {
            parse_calendar_date(date)
        } else {
            None
        }
    }

    /// The API's date-time form of this date at midnight UTC, `YYYY-MM-DDT00:00:00Z`.
    pub fn to_api_datetime(self) -> String {
        format!("{self}T00:00:00Z")
    }

    /// Days since 1970-01-01 (negative before it).
    pub const fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days-from-civil: count years from March so the leap day ends the year.
        let month = self.month as i64;
        let year = self.year as i64 - if month <= 2 { 1 } else { 0 };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = if month > 2 { month - 3 } else { month + 9 };
        let day_of_year = (153 * month_from_march + 2) / 5 + self.day as i64 - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * DAYS_PER_ERA + day_of_era - EPOCH_SHIFT
    }

    /// The date `days` days after 1970-01-01, so a caller can turn its clock into a `Date`
    /// (`unix_seconds.div_euclid(86_400)`). Days beyond [`Date::MIN`] and [`Date::MAX`] saturate.
    pub const fn from_days_since_epoch(days: i64) -> Date {
        // Howard Hinnant's civil-from-days, the inverse of `days_since_epoch`.
        let days = clamp(
            days,
            Date::MIN.days_since_epoch(),
            Date::MAX.days_since_epoch(),
        );
        let shifted = days + EPOCH_SHIFT;
        let era = shifted.div_euclid(DAYS_PER_ERA);
        let day_of_era = shifted - era * DAYS_PER_ERA;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = year_of_era + era * 400 + if month <= 2 { 1 } else { 0 };
        // The clamp above keeps the year within i32; month and day are always in range.
        Date {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        }
    }
}

/// Whether `year` has a 29 February.
pub const fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const fn clamp(value: i64, min: i64, max: i64) -> i64 {
    if value < min {
        min
    } else if value > max {
        max
    } else {
        value
    }
}

fn parse_calendar_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(&bytes[0..4])?).ok()?;
    let month = u8::try_from(digits(&bytes[5..7])?).ok()?;
    let day = u8::try_from(digits(&bytes[8..10])?).ok()?;
    Date::new(year, month, day)
}

/// The value of a run of ASCII digits, or `None` if it is empty or holds anything else.
fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() {
        return None;
    }
    bytes.iter().try_fold(0u32, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

/// `HH:MM[:SS[.fraction]]` followed by nothing, `Z` or an offset `±HH[:MM]`/`±HHMM`.
fn is_time_of_day(text: &str) -> bool {
    let (clock, zone) = match text.find(['Z', '+', '-']) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    is_clock(clock) && is_zone(zone)
}

fn is_clock(text: &str) -> bool {
    let (hms, fraction) = match text.split_once('.') {
        Some((hms, fraction)) => (hms, Some(fraction)),
        None => (text, None),
    };
    let fields: Vec<&str> = hms.split(':').collect();
    let fraction_ok = fraction.is_none_or(|digits_after| {
        fields.len() == 3
            && !digits_after.is_empty()
            && digits_after.bytes().all(|b| b.is_ascii_digit())
    });
    // 60 seconds allows a leap second.
    (2..=3).contains(&fields.len()) && fraction_ok && fields_within(&fields, &[23, 59, 60])
}

fn is_zone(text: &str) -> bool {
    let Some(offset) = text.strip_prefix(['+', '-']) else {
        return text.is_empty() || text == "Z";
    };
    if !offset.is_ascii() {
        return false;
    }
    let fields: Vec<&str> = match (offset.len(), offset.split_once(':')) {
        (5, Some((hours, minutes))) => vec![hours, minutes],
        (4, None) => vec![&offset[..2], &offset[2..]],
        (2, None) => vec![offset],
        _ => return false,
    };
    fields_within(&fields, &[23, 59])
}

/// Each field is exactly two digits and at most its limit.
fn fields_within(fields: &[&str], limits: &[u32]) -> bool {
    fields.iter().zip(limits).all(|(field, &limit)| {
        field.len() == 2 && digits(field.as_bytes()).is_some_and(|value| value <= limit)
    })
}

const SECONDS_PER_DAY: i64 = 86_400;

impl Date {
    /// The UTC date of an instant given in seconds since 1970-01-01T00:00:00Z.
    pub fn of_unix_seconds(seconds: i64) -> Date {
        Date::from_days_since_epoch(seconds.div_euclid(SECONDS_PER_DAY))
    }
}

/// An instant (seconds since the epoch) as the seeds write instants, `2025-01-15T10:30:00Z`. Being
/// fixed-width UTC, two such texts compare in time order as plain strings.
pub fn format_unix_seconds(seconds: i64) -> String {
    let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        Date::of_unix_seconds(seconds),
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = CoreError;

    /// As [`Date::parse`], with an error that names the text.
    fn from_str(text: &str) -> Result<Date, CoreError> {
        Date::parse(text).ok_or_else(|| CoreError::InvalidDate {
            text: text.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u8, day: u8) -> Date {
        Date::new(year, month, day).expect("a real date")
    }

    #[test]
    fn new_accepts_real_dates_and_rejects_the_rest() {
        let cases: &[(i32, u8, u8, bool)] = &[
            (2024, 2, 29, true),  // divisible by 4
            (2023, 2, 29, false), // common year
            (1900, 2, 29, false), // century, not divisible by 400
            (2000, 2, 29, true),  // divisible by 400
            (2025, 2, 28, true),
            (2025, 4, 30, true),
            (2025, 4, 31, false),
            (2025, 12, 31, true),
            (2025, 1, 32, false),
            (2025, 13, 1, false),
            (2025, 0, 1, false),
            (2025, 1, 0, false),
        ];
        for &(year, month, day, real) in cases {
            assert_eq!(
                Date::new(year, month, day).is_some(),
                real,
                "{year}-{month}-{day}"
            );
        }
    }

    #[test]
    fn leap_years() {
        let cases = [
            (2024, true),
            (2023, false),
            (1900, false),
            (2000, true),
            (2100, false),
            (0, true),
        ];
        for (year, leap) in cases {
            assert_eq!(is_leap_year(year), leap, "{year}");
        }
    }

    #[test]
    fn parse_accepts_both_string_forms() {
        let may_first = Some(date(2030, 5, 1));
        let cases: &[(&str, Option<Date>)] = &[
            ("2030-05-01", may_first),
            ("2030-05-01T00:00:00Z", may_first),
            ("2030-05-01T00:00:00.000+02:00", may_first),
            ("2030-05-01T23:59:60-0530", may_first),
            ("2030-05-01T12:30", may_first),
            ("2030-05-01T12:30:15", may_first),
            ("2030-05-01T12:30:15.5-03", may_first),
            ("2024-02-29", Some(date(2024, 2, 29))),
            ("2023-02-29", None),
            ("2030-5-1", None),
            ("2030/05/01", None),
            ("30-05-01", None),
            ("+030-05-01", None),
            ("2030-05-01 ", None),
            ("2030-05-01T", None),
            ("2030-05-01T24:00:00Z", None),
            ("2030-05-01T12:60:00Z", None),
            ("2030-05-01T12:00:00.Z", None),
            ("2030-05-01T12:00.5Z", None),
            ("2030-05-01T12:00:00+2:00", None),
            ("2030-05-01T12:00:00Y", None),
            ("2030-05-01T12:00:00+aé1", None),
            ("2030-05-01x", None),
            ("2030-05-0é", None),
            ("", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(Date::parse(text), expected, "{text:?}");
        }
    }

    #[test]
    fn from_str_names_the_text() {
        assert_eq!("2030-05-01".parse::<Date>(), Ok(date(2030, 5, 1)));
        assert_eq!(
            "soon".parse::<Date>(),
            Err(CoreError::InvalidDate {
                text: "soon".to_owned()
            })
        );
    }

    #[test]
    fn displays_and_writes_the_api_form() {
        assert_eq!(date(2030, 5, 1).to_string(), "2030-05-01");
        assert_eq!(date(987, 12, 9).to_string(), "0987-12-09");
        assert_eq!(date(2030, 5, 1).to_api_datetime(), "2030-05-01T00:00:00Z");
    }

    #[test]
    fn orders_chronologically() {
        assert!(date(2029, 12, 31) < date(2030, 1, 1));
        assert!(date(2030, 1, 31) < date(2030, 2, 1));
        assert!(date(2030, 2, 1) < date(2030, 2, 2));
    }

    #[test]
    fn days_since_epoch_known_values() {
        let cases = [
            (date(1970, 1, 1), 0),
            (date(1969, 12, 31), -1),
            (date(2000, 3, 1), 11_017),
            (date(2024, 2, 29), 19_782),
            (date(2025, 1, 15), 20_103),
            (date(1600, 1, 1), -135_140),
        ];
        for (day, days) in cases {
            assert_eq!(day.days_since_epoch(), days, "{day}");
            assert_eq!(Date::from_days_since_epoch(days), day, "{days}");
        }
    }

    #[test]
    fn days_since_epoch_round_trips_day_by_day() {
        let mut expected = date(1899, 12, 25);
        for days in expected.days_since_epoch()..date(2101, 1, 5).days_since_epoch() {
            let day = Date::from_days_since_epoch(days);
            assert_eq!(day, expected);
            assert_eq!(day.days_since_epoch(), days);
            expected = next_day(expected);
        }
    }

    fn next_day(day: Date) -> Date {
        Date::new(day.year(), day.month(), day.day() + 1)
            .or_else(|| Date::new(day.year(), day.month() + 1, 1))
            .unwrap_or_else(|| date(day.year() + 1, 1, 1))
    }

    #[test]
    fn from_days_since_epoch_saturates() {
        assert_eq!(Date::from_days_since_epoch(i64::MIN), Date::MIN);
        assert_eq!(Date::from_days_since_epoch(i64::MAX), Date::MAX);
        assert_eq!(
            Date::from_days_since_epoch(Date::MAX.days_since_epoch()),
            Date::MAX
        );
        assert_eq!(
            Date::from_days_since_epoch(Date::MIN.days_since_epoch()),
            Date::MIN
        );
    }
}
