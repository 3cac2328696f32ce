//! What a member may touch: which records are theirs, which fields they may write, and what of an
//! upstream answer they may read. Everything here is a pure function of the [`Member`] and the
//! data, so the rules of scope are tested without a network.

use idcheck_core::model::{
    IdentityCheckProvider, NewCoworkerIdentityCheck, NewCoworkerIdentityCheckDocument,
    VerificationStatus,
};
use serde_json::{Map, Value};

use crate::member::Member;

/// The fields of a check a member writes; everything else of a request body is dropped.
const CHECK_FIELDS: &[&str] = &[
    "Name",
    "VerificationType",
    "IdentityDocumentType",
    "IdentityDocumentNumber",
    "IdentityDocumentIssuedBy",
    "IdentityDocumentExpirationDate",
    "AddressDocumentType",
    "Description",
];

/// The fields of a document a member writes.
const DOCUMENT_FIELDS: &[&str] = &[
    "CoworkerIdentityCheckId",
    "Name",
    "NewPhotoUrl",
    "NewDocumentUrl",
    "NewAdditionalDocumentUrl",
    "Notes",
];

/// Fields of upstream answers a member never reads: who wrote (the operator's own account).
const HIDDEN_FIELDS: &[&str] = &["UpdatedBy", "CreatedBy"];

/// The member's check body: only the member's fields, with the ids from the token and the
/// provider that reviews images by hand (a member cannot pick a billed or third-party provider).
pub fn check_body(member: Member, body: &Map<String, Value>) -> Map<String, Value> {
    let mut out = keep(body, CHECK_FIELDS);
    out.insert("BusinessId".into(), member.business_id.into());
    out.insert("CoworkerId".into(), member.coworker_id.into());
    out.insert(
        "IdentityCheckProvider".into(),
        IdentityCheckProvider::Manual.code().into(),
    );
    out
}

/// The member's fields written over `record` (a whole check as read), for a PUT: Nexudus has no
/// PATCH, so what the member does not write is sent back as it was. The check's `Name` is the
/// operator's, who requested it: the member's answers fill it in, they do not rename it.
pub fn merged_check(record: &Map<String, Value>, body: &Map<String, Value>) -> Map<String, Value> {
    let mut out = record.clone();
    for (key, value) in keep(body, CHECK_FIELDS) {
        if key != "Name" {
            out.insert(key, value);
        }
    }
    out
}

/// The member's document body, with the coworker from the token.
pub fn document_body(member: Member, body: &Map<String, Value>) -> Map<String, Value> {
    let mut out = keep(body, DOCUMENT_FIELDS);
    out.insert("CoworkerId".into(), member.coworker_id.into());
    out
}

fn keep(body: &Map<String, Value>, fields: &[&str]) -> Map<String, Value> {
    body.iter()
        .filter(|(key, _)| fields.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// Whether an upstream record (a check or a document) belongs to the member.
pub fn owns(member: Member, record: &Value) -> bool {
    record.get("CoworkerId").and_then(Value::as_i64) == Some(member.coworker_id)
}

/// A check takes the member's answers while it waits for them: Pending (new or requested by the
/// operator) or Failed (the member sends new images after a review).
pub fn takes_answers(status: VerificationStatus) -> bool {
    matches!(
        status,
        VerificationStatus::Pending | VerificationStatus::Failed
    )
}

/// An upstream answer as a member may read it: hidden fields removed at every depth, and list
/// records that are not the member's dropped (the upstream's filter should already have done it).
pub fn readable(member: Member, mut value: Value) -> Value {
    if let Some(records) = value.get_mut("Records").and_then(Value::as_array_mut) {
        records.retain(|record| owns(member, record));
    }
    hide(&mut value);
    value
}

fn hide(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for field in HIDDEN_FIELDS {
                map.remove(*field);
            }
            map.values_mut().for_each(hide);
        }
        Value::Array(items) => items.iter_mut().for_each(hide),
        _ => {}
    }
}

/// The typed view of a JSON body, for the core's rules.
pub fn as_check(body: &Map<String, Value>) -> Result<NewCoworkerIdentityCheck, serde_json::Error> {
    serde_json::from_value(Value::Object(body.clone()))
}

pub fn as_document(
    body: &Map<String, Value>,
) -> Result<NewCoworkerIdentityCheckDocument, serde_json::Error> {
    serde_json::from_value(Value::Object(body.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ANA: Member = Member {
        coworker_id: 2,
        business_id: 1,
    };

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn ids_are_forced_and_fields_outside_the_members_are_dropped() {
        let body = object(json!({
            "CoworkerId": 1, "BusinessId": 9, "Name": "Identity check", "Billed": true,
            "VerificationStatus": 3, "IdentityCheckProvider": 2, "StripeVerificationSessionId": "vs_1",
            "ProposalGuid": "x", "IdentityDocumentNumber": "PA1"
        }));
        let out = check_body(ANA, &body);
        assert_eq!(
            Value::Object(out),
            json!({"CoworkerId": 2, "BusinessId": 1, "Name": "Identity check",
                   "IdentityCheckProvider": 1, "IdentityDocumentNumber": "PA1"})
        );
        let document = document_body(
            ANA,
            &object(
                json!({"CoworkerId": 1, "CoworkerIdentityCheckId": 5, "VerificationStatus": 3, "Notes": "n"}),
            ),
        );
        assert_eq!(
            Value::Object(document),
            json!({"CoworkerId": 2, "CoworkerIdentityCheckId": 5, "Notes": "n"})
        );
    }

    #[test]
    fn a_put_keeps_what_the_member_may_not_write() {
        let record = object(
            json!({"Id": 5, "CoworkerId": 2, "Billed": false, "VerificationStatus": 1, "Name": "Check"}),
        );
        let merged = merged_check(
            &record,
            &object(
                json!({"Billed": true, "VerificationStatus": 3, "IdentityDocumentNumber": "X1", "CoworkerId": 1, "Name": "Renamed"}),
            ),
        );
        assert_eq!(
            Value::Object(merged),
            json!({"Id": 5, "CoworkerId": 2, "Billed": false, "VerificationStatus": 1, "Name": "Check", "IdentityDocumentNumber": "X1"})
        );
    }

    #[test]
    fn answers_hide_the_operator_account_and_other_members_records() {
        let answer = json!({"Records": [{"CoworkerId": 2, "UpdatedBy": "gateway@example.com"}, {"CoworkerId": 1}], "UpdatedBy": "x"});
        assert_eq!(
            readable(ANA, answer),
            json!({"Records": [{"CoworkerId": 2}]})
        );
        assert!(owns(ANA, &json!({"CoworkerId": 2})));
        assert!(!owns(ANA, &json!({"CoworkerId": 1})));
        assert!(!owns(ANA, &json!({})));
        assert!(takes_answers(VerificationStatus::Failed));
        assert!(!takes_answers(VerificationStatus::Submitted));
    }
}
