//! The envelopes around the records: the write envelope of creates, updates and deletes (seed
//! 002's success and 400 answers) and the paged list envelope (API-NOTES).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::error::CoreError;
use crate::violation::{self, Violation};

/// A JSON field that can be absent, `null`, or hold a value.
///
/// The write envelope needs all three: seed 002's success answer has `"RedirectURL": null`, its
/// 400 answer has no `RedirectURL` at all, and both must be written back exactly.
/// Use it with `#[serde(default, skip_serializing_if = "Tristate::is_absent")]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Tristate<T> {
    /// The field is not in the JSON.
    #[default]
    Absent,
    /// The field is `null`.
    Null,
    /// The field holds a value.
    Present(T),
}

impl<T> Tristate<T> {
    /// Whether the field is left out of the JSON.
    pub fn is_absent(&self) -> bool {
        matches!(self, Tristate::Absent)
    }

    /// The value, if the field holds one.
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Tristate::Present(value) => Some(value),
            Tristate::Absent | Tristate::Null => None,
        }
    }
}

impl<T: Serialize> Serialize for Tristate<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tristate::Present(value) => value.serialize(serializer),
            Tristate::Absent | Tristate::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tristate<T> {
    /// Only called when the field is present; absence comes from `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Tristate::Null, Tristate::Present))
    }
}

/// The answer to a create, update or delete (seed 002).
///
/// Fields the two seed examples leave out are skipped when `None`/absent, so each example is
/// written back exactly; `Value` and `Errors` are always written, `null` when empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteEnvelope<V> {
    /// The HTTP status; the 400 example has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// On success a confirmation; on failure every violation, `PropertyName: message` each
    /// (see [`violation::joined_message`]).
    pub message: String,
    /// What the write produced, e.g. [`CreatedValue`]; `null` on failure.
    pub value: Option<V>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_in_dialog: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_in_window: Option<bool>,
    #[serde(
        rename = "RedirectURL",
        default,
        skip_serializing_if = "Tristate::is_absent"
    )]
    pub redirect_url: Tristate<String>,
    #[serde(
        rename = "JavaScript",
        default,
        skip_serializing_if = "Tristate::is_absent"
    )]
    pub javascript: Tristate<String>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_on: Option<String>,
    /// The e-mail of the user who wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// `null` on success; every violation on failure.
    pub errors: Option<Vec<ApiValidationError>>,
    pub was_successful: bool,
}

impl<V> WriteEnvelope<V> {
    /// A successful write, in exactly the shape of seed 002's 200 answer.
    pub fn success(
        message: impl Into<String>,
        value: V,
        updated_on: impl Into<String>,
        updated_by: impl Into<String>,
    ) -> Self {
        WriteEnvelope {
            status: Some(200),
            message: message.into(),
            value: Some(value),
            open_in_dialog: Some(false),
            open_in_window: Some(false),
            redirect_url: Tristate::Null,
            javascript: Tristate::Null,
            updated_on: Some(updated_on.into()),
            updated_by: Some(updated_by.into()),
            errors: None,
            was_successful: true,
        }
    }

    /// A write refused for `violations`, in exactly the shape of seed 002's 400 answer.
    pub fn failure(violations: &[Violation]) -> Self {
        WriteEnvelope {
            status: None,
            message: violation::joined_message(violations),
            value: None,
            open_in_dialog: None,
            open_in_window: None,
            redirect_url: Tristate::Absent,
            javascript: Tristate::Absent,
            updated_on: None,
            updated_by: None,
            errors: Some(violations.iter().map(ApiValidationError::from).collect()),
            was_successful: false,
        }
    }
}

/// The `Value` of a successful create: the new record's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreatedValue {
    pub id: i64,
}

/// One entry of a write envelope's `Errors`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApiValidationError {
    /// The value the request gave the property, `null` when it gave none.
    #[serde(default)]
    pub attempted_value: Value,
    /// What is wrong, without the property name, e.g. `is a required field`.
    pub message: String,
    /// The JSON name of the property, e.g. `Name`.
    pub property_name: String,
}

impl From<&Violation> for ApiValidationError {
    /// The entry a Nexudus violation is reported as: its property, message and attempted value.
    fn from(violation: &Violation) -> Self {
        ApiValidationError {
            attempted_value: violation.attempted.clone(),
            message: violation.message.clone(),
            property_name: violation.property.clone(),
        }
    }
}

/// The order of a list, as the `dir` query parameter and `CurrentSortDirection` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

impl SortDirection {
    /// `Ascending` or `Descending`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SortDirection::Ascending => "Ascending",
            SortDirection::Descending => "Descending",
        }
    }
}

impl fmt::Display for SortDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SortDirection {
    type Err = CoreError;

    /// Reads a `dir` query parameter: `Ascending`/`asc` or `Descending`/`desc`, any case.
    fn from_str(text: &str) -> Result<Self, CoreError> {
        match text.to_ascii_lowercase().as_str() {
            "ascending" | "asc" => Ok(SortDirection::Ascending),
            "descending" | "desc" => Ok(SortDirection::Descending),
            _ => Err(CoreError::InvalidSortDirection {
                text: text.to_owned(),
            }),
        }
    }
}

/// One page of a list (`GET /api/spaces/coworkeridentitychecks?page=1&size=25…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListEnvelope<T> {
    pub records: Vec<T>,
    /// 1-based.
    pub current_page: u32,
    pub current_page_size: u32,
    pub current_order_field: Option<String>,
    pub current_sort_direction: Option<SortDirection>,
    /// The 1-based position of the page's first record among all records; 0 on an empty page.
    pub first_item: u64,
    /// The 1-based position of the page's last record; 0 on an empty page.
    pub last_item: u64,
    pub total_items: u64,
    pub total_pages: u64,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T> ListEnvelope<T> {
    /// The envelope of page `page` (1-based) of `size` records, holding `records`, out of
    /// `all_count` records in all. A page or size of 0 counts as 1, so the paging stays defined.
    pub fn page(
        all_count: u64,
        page: u32,
        size: u32,
        records: Vec<T>,
        order_field: Option<String>,
        direction: Option<SortDirection>,
    ) -> Self {
        let page = page.max(1);
        let size = size.max(1);
        let total_pages = all_count.div_ceil(u64::from(size));
        let (first_item, last_item) = match records.len() as u64 {
            0 => (0, 0),
            count => {
                let first = u64::from(page - 1) * u64::from(size) + 1;
                (first, first + count - 1)
            }
        };
        ListEnvelope {
            records,
            current_page: page,
            current_page_size: size,
            current_order_field: order_field,
            current_sort_direction: direction,
            first_item,
            last_item,
            total_items: all_count,
            total_pages,
            has_next_page: u64::from(page) < total_pages,
            has_previous_page: page > 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_violation_keeps_its_property_message_and_attempted_value() {
        let violation = Violation::not_positive("CoworkerId", -2);
        assert_eq!(
            serde_json::to_value(ApiValidationError::from(&violation)).expect("serialises"),
            json!({"AttemptedValue": -2, "Message": "must be a positive number", "PropertyName": "CoworkerId"})
        );
    }

    #[test]
    fn tristate_keeps_absent_null_and_present_apart() {
        let cases = [
            (
                r#"{"Message":"m","Value":null,"Errors":null,"WasSuccessful":true}"#,
                Tristate::Absent,
            ),
            (
                r#"{"Message":"m","Value":null,"RedirectURL":null,"Errors":null,"WasSuccessful":true}"#,
                Tristate::Null,
            ),
            (
                r#"{"Message":"m","Value":null,"RedirectURL":"/x","Errors":null,"WasSuccessful":true}"#,
                Tristate::Present("/x".to_owned()),
            ),
        ];
        for (text, expected) in cases {
            let envelope: WriteEnvelope<CreatedValue> = serde_json::from_str(text).expect("parses");
            assert_eq!(envelope.redirect_url, expected, "{text}");
            assert_eq!(serde_json::to_string(&envelope).expect("serialises"), text);
        }
        assert_eq!(Tristate::Present(3).as_option(), Some(&3));
        assert_eq!(Tristate::<i32>::Null.as_option(), None);
    }

    #[test]
    fn sort_direction_reads_query_parameters() {
        let cases = [
            ("Ascending", Ok(SortDirection::Ascending)),
            ("asc", Ok(SortDirection::Ascending)),
            ("DESCENDING", Ok(SortDirection::Descending)),
            ("desc", Ok(SortDirection::Descending)),
            (
                "up",
                Err(CoreError::InvalidSortDirection {
                    text: "up".to_owned(),
                }),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<SortDirection>(), expected, "{text}");
        }
        assert_eq!(
            serde_json::to_value(SortDirection::Descending).expect("serialises"),
            json!("Descending")
        );
    }

    #[test]
    fn page_computes_the_paging_fields() {
        // (all_count, page, size, records on the page) →
        // (page, size, first, last, total pages, has next, has previous)
        type Case = (
            (u64, u32, u32, usize),
            (u32, u32, u64, u64, u64, bool, bool),
        );
        let cases: &[Case] = &[
            ((0, 1, 25, 0), (1, 25, 0, 0, 0, false, false)),
            ((3, 1, 25, 3), (1, 25, 1, 3, 1, false, false)),
            ((25, 1, 25, 25), (1, 25, 1, 25, 1, false, false)),
            ((26, 1, 25, 25), (1, 25, 1, 25, 2, true, false)),
            ((26, 2, 25, 1), (2, 25, 26, 26, 2, false, true)),
            ((60, 2, 25, 25), (2, 25, 26, 50, 3, true, true)),
            ((60, 4, 25, 0), (4, 25, 0, 0, 3, false, true)),
            ((5, 0, 0, 1), (1, 1, 1, 1, 5, true, false)),
        ];
        for &((all_count, page, size, count), expected) in cases {
            let envelope = ListEnvelope::page(all_count, page, size, vec![(); count], None, None);
            let built = (
                envelope.current_page,
                envelope.current_page_size,
                envelope.first_item,
                envelope.last_item,
                envelope.total_pages,
                envelope.has_next_page,
                envelope.has_previous_page,
            );
            assert_eq!(
                built, expected,
                "{all_count} records, page {page} of {size}"
            );
            assert_eq!(envelope.total_items, all_count);
        }
    }

    #[test]
    fn list_envelope_uses_the_api_names() {
        let envelope = ListEnvelope::page(
            1,
            1,
            25,
            vec![CreatedValue { id: 4 }],
            Some("Id".into()),
            Some(SortDirection::Ascending),
        );
        let expected = json!({
            "Records": [{"Id": 4}],
            "CurrentPage": 1,
            "CurrentPageSize": 25,
            "CurrentOrderField": "Id",
            "CurrentSortDirection": "Ascending",
            "FirstItem": 1,
            "LastItem": 1,
            "TotalItems": 1,
            "TotalPages": 1,
            "HasNextPage": false,
            "HasPreviousPage": false
        });
        assert_eq!(
            serde_json::to_value(&envelope).expect("serialises"),
            expected
        );
        let parsed: ListEnvelope<CreatedValue> = serde_json::from_value(expected).expect("parses");
        assert_eq!(parsed, envelope);
    }
}
