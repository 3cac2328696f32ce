//! The records the API reads and writes: the create bodies (seeds 000 and 002), the read records
//! (seeds 001 and 003) and the minimal business and coworker records of the seeded lookups.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::enums::{
    AddressDocumentType, IdentityCheckProvider, IdentityDocumentType, VerificationStatus,
    VerificationType,
};
use crate::slots::{DocumentKind, Slot};

/// The body of `POST /api/spaces/coworkeridentitychecks` (seed 002).
///
/// The seed's required fields are `Option` too, so that a body missing them still parses and
/// [`crate::rules::check_identity_check`] can report them the way the API does. Absent optional
/// fields are left out of the JSON, so Nexudus applies its own defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NewCoworkerIdentityCheck {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coworker_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Nexudus defaults it to `Manual`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_check_provider: Option<IdentityCheckProvider>,
    /// Nexudus defaults it to `Other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_document_type: Option<IdentityDocumentType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_document_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_document_issued_by: Option<String>,
    /// A date, `YYYY-MM-DD` or ISO 8601 date-time (see [`crate::date::Date::parse`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_document_expiration_date: Option<String>,
    /// Nexudus defaults it to `Other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_document_type: Option<AddressDocumentType>,
    /// Not listed among seed 002's body fields, but its introduction says it decides the check,
    /// and Nexudus accepts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_type: Option<VerificationType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe_verification_session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_check_provider1: Option<IdentityCheckProvider>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_type1: Option<VerificationType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_check_provider2: Option<IdentityCheckProvider>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_type2: Option<VerificationType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description2: Option<String>,
}

impl NewCoworkerIdentityCheck {
    /// The kind of document this check asks for, if its verification type names one.
    /// Absent document types count as `None`; the rules report them.
    pub fn document_kind(&self) -> Option<DocumentKind> {
        DocumentKind::for_check(
            self.verification_type.unwrap_or_default(),
            self.identity_document_type.unwrap_or_default(),
            self.address_document_type.unwrap_or_default(),
        )
    }
}

/// One check as `GET /api/spaces/coworkeridentitychecks/{id}` answers it (seed 003): every field
/// of the seed's example, in its order.
///
/// Missing fields take their defaults because list answers carry partial records.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CoworkerIdentityCheck {
    pub business_id: i64,
    pub business_name: Option<String>,
    pub coworker_id: i64,
    pub coworker_full_name: Option<String>,
    pub coworker_coworker_type: Option<String>,
    pub coworker_company_name: Option<String>,
    pub coworker_billing_name: Option<String>,
    pub name: String,
    pub identity_check_provider: IdentityCheckProvider,
    pub identity_document_type: IdentityDocumentType,
    pub identity_document_number: Option<String>,
    pub identity_document_issued_by: Option<String>,
    pub identity_document_expiration_date: Option<String>,
    pub address_document_type: AddressDocumentType,
    pub verification_type: VerificationType,
    pub description: Option<String>,
    pub verification_status: VerificationStatus,
    /// Why the check failed, when it did.
    pub last_error: Option<String>,
    pub billed: bool,
    pub proposal_guid: Option<String>,
    pub coworker_contract_guid: Option<String>,
    pub contract_contact_guid: Option<String>,
    pub stripe_verification_session_id: Option<String>,
    pub identity_check_group_guid: Option<String>,
    /// Nullable in the API (`eIdentityCheckProvider?`).
    pub identity_check_provider1: Option<IdentityCheckProvider>,
    /// Nullable in the API (`eIdVerificationType?`).
    pub verification_type1: Option<VerificationType>,
    pub description1: Option<String>,
    /// Nullable in the API (`eIdentityCheckProvider?`).
    pub identity_check_provider2: Option<IdentityCheckProvider>,
    /// Nullable in the API (`eIdVerificationType?`).
    pub verification_type2: Option<VerificationType>,
    pub description2: Option<String>,
    pub id: i64,
    /// ISO 8601.
    pub updated_on: String,
    /// ISO 8601.
    pub created_on: String,
    pub unique_id: String,
    /// The e-mail of the user who last updated the record.
    pub updated_by: Option<String>,
    pub is_new: bool,
    pub system_id: Option<String>,
    pub to_string_text: Option<String>,
    pub localization_details: Option<Value>,
    pub custom_fields: Option<Value>,
}

impl CoworkerIdentityCheck {
    /// The kind of document this check asks for, if its verification type names one.
    pub fn document_kind(&self) -> Option<DocumentKind> {
        DocumentKind::for_check(
            self.verification_type,
            self.identity_document_type,
            self.address_document_type,
        )
    }
}

/// The body of `POST /api/spaces/coworkeridentitycheckdocuments` (seed 000). Each file slot is
/// filled by giving the URL of a file the API fetches.
///
/// The required fields are `Option` so that a body missing them still parses and
/// [`crate::rules::check_identity_check_document`] can report them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NewCoworkerIdentityCheckDocument {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coworker_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coworker_identity_check_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_photo_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_photo_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_document_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_document_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_additional_document_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clear_additional_document_file: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl NewCoworkerIdentityCheckDocument {
    /// The URL given for `slot`'s new file, if any and not blank.
    pub fn new_url(&self, slot: Slot) -> Option<&str> {
        let url = match slot {
            Slot::Photo => &self.new_photo_url,
            Slot::Front => &self.new_document_url,
            Slot::Back => &self.new_additional_document_url,
        };
        url.as_deref().filter(|url| !url.trim().is_empty())
    }

    /// Whether the body asks to remove `slot`'s file.
    pub fn clears(&self, slot: Slot) -> bool {
        let clear = match slot {
            Slot::Photo => self.clear_photo_file,
            Slot::Front => self.clear_document_file,
            Slot::Back => self.clear_additional_document_file,
        };
        clear == Some(true)
    }

    /// The slots this body gives a new file for, in capture order.
    pub fn slots_with_new_url(&self) -> Vec<Slot> {
        Slot::ALL
            .into_iter()
            .filter(|&slot| self.new_url(slot).is_some())
            .collect()
    }
}

/// One document as `GET /api/spaces/coworkeridentitycheckdocuments/{id}` answers it (seed 001):
/// every field of the seed's example, in its order, with the parent check's fields flattened in.
///
/// Missing fields take their defaults because list answers carry partial records.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CoworkerIdentityCheckDocument {
    pub coworker_id: i64,
    pub coworker_full_name: Option<String>,
    pub coworker_coworker_type: Option<String>,
    pub coworker_company_name: Option<String>,
    pub coworker_billing_name: Option<String>,
    pub coworker_identity_check_id: i64,
    pub coworker_identity_check_name: Option<String>,
    pub coworker_identity_check_verification_type: Option<VerificationType>,
    pub coworker_identity_check_business_name: Option<String>,
    pub coworker_identity_check_identity_document_type: Option<IdentityDocumentType>,
    pub coworker_identity_check_identity_document_number: Option<String>,
    pub coworker_identity_check_identity_document_issued_by: Option<String>,
    pub coworker_identity_check_identity_document_expiration_date: Option<String>,
    pub coworker_identity_check_address_document_type: Option<AddressDocumentType>,
    pub name: String,
    pub photo_file_name: Option<String>,
    pub new_photo_url: Option<String>,
    pub clear_photo_file: Option<bool>,
    pub document_file_name: Option<String>,
    pub new_document_url: Option<String>,
    pub clear_document_file: Option<bool>,
    pub additional_document_file_name: Option<String>,
    pub new_additional_document_url: Option<String>,
    pub clear_additional_document_file: Option<bool>,
    pub verification_status: VerificationStatus,
    /// Reviewer comments the member sees.
    pub notes: Option<String>,
    pub id: i64,
    /// ISO 8601.
    pub updated_on: String,
    /// ISO 8601.
    pub created_on: String,
    pub unique_id: String,
    /// The e-mail of the user who last updated the record.
    pub updated_by: Option<String>,
    pub is_new: bool,
    pub system_id: Option<String>,
    pub to_string_text: Option<String>,
    pub localization_details: Option<Value>,
    pub custom_fields: Option<Value>,
}

impl CoworkerIdentityCheckDocument {
    /// The stored file name of `slot`, if the slot holds a file.
    pub fn file_name(&self, slot: Slot) -> Option<&str> {
        let name = match slot {
            Slot::Photo => &self.photo_file_name,
            Slot::Front => &self.document_file_name,
            Slot::Back => &self.additional_document_file_name,
        };
        name.as_deref().filter(|name| !name.is_empty())
    }

    /// The slots holding a file, in capture order.
    pub fn stored_slots(&self) -> Vec<Slot> {
        Slot::ALL
            .into_iter()
            .filter(|&slot| self.file_name(slot).is_some())
            .collect()
    }
}

/// A location, as the seeded `GET /api/sys/businesses` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Business {
    pub id: i64,
    pub name: String,
}

/// A customer, as the seeded `GET /api/spaces/coworkers` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Coworker {
    pub id: i64,
    pub full_name: String,
    /// E.g. `Member`, `TeamMember`.
    pub coworker_type: Option<String>,
    pub company_name: Option<String>,
    pub billing_name: Option<String>,
    pub business_id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_body_leaves_out_absent_fields() {
        let check = NewCoworkerIdentityCheck {
            business_id: Some(1),
            name: Some("Passport check".into()),
            verification_type: Some(VerificationType::IdDocument),
            ..Default::default()
        };
        let json = serde_json::to_value(&check).expect("serialises");
        assert_eq!(
            json,
            json!({"BusinessId": 1, "Name": "Passport check", "VerificationType": 1})
        );
        assert_eq!(
            serde_json::from_value::<NewCoworkerIdentityCheck>(json).expect("parses"),
            check
        );
    }

    #[test]
    fn create_body_with_missing_required_fields_still_parses() {
        let check: NewCoworkerIdentityCheck = serde_json::from_str("{}").expect("parses");
        assert_eq!(check, NewCoworkerIdentityCheck::default());
    }

    #[test]
    fn create_body_rejects_unknown_enum_numbers() {
        let body =
            json!({"BusinessId": 1, "CoworkerId": 2, "Name": "x", "IdentityDocumentType": 11});
        assert!(serde_json::from_value::<NewCoworkerIdentityCheck>(body).is_err());
    }

    #[test]
    fn document_kind_follows_the_verification_type() {
        let cases = [
            (
                VerificationType::IdDocument,
                Some(DocumentKind::Identity(IdentityDocumentType::Passport)),
            ),
            (
                VerificationType::Address,
                Some(DocumentKind::Address(AddressDocumentType::VoterCard)),
            ),
            (VerificationType::None, None),
        ];
        for (verification_type, kind) in cases {
            let read = CoworkerIdentityCheck {
                verification_type,
                identity_document_type: IdentityDocumentType::Passport,
                address_document_type: AddressDocumentType::VoterCard,
                ..Default::default()
            };
            let new = NewCoworkerIdentityCheck {
                verification_type: Some(verification_type),
                identity_document_type: Some(IdentityDocumentType::Passport),
                address_document_type: Some(AddressDocumentType::VoterCard),
                ..Default::default()
            };
            assert_eq!(read.document_kind(), kind, "{verification_type}");
            assert_eq!(new.document_kind(), kind, "{verification_type}");
        }
    }

    #[test]
    fn document_body_names_its_slots() {
        let document = NewCoworkerIdentityCheckDocument {
            new_photo_url: Some("https://example.com/face.jpg".into()),
            new_document_url: Some("  ".into()),
            new_additional_document_url: Some("data:image/png;base64,AAAA".into()),
            clear_document_file: Some(true),
            ..Default::default()
        };
        assert_eq!(
            document.new_url(Slot::Photo),
            Some("https://example.com/face.jpg")
        );
        assert_eq!(
            document.new_url(Slot::Front),
            None,
            "a blank URL fills nothing"
        );
        assert_eq!(document.slots_with_new_url(), [Slot::Photo, Slot::Back]);
        let cleared: Vec<bool> = Slot::ALL
            .iter()
            .map(|&slot| document.clears(slot))
            .collect();
        assert_eq!(cleared, [false, true, false]);
    }

    #[test]
    fn read_document_names_its_stored_files() {
        let document = CoworkerIdentityCheckDocument {
            photo_file_name: Some("face.jpg".into()),
            document_file_name: Some(String::new()),
            additional_document_file_name: Some("back.png".into()),
            ..Default::default()
        };
        assert_eq!(document.file_name(Slot::Back), Some("back.png"));
        assert_eq!(document.stored_slots(), [Slot::Photo, Slot::Back]);
    }

    #[test]
    fn partial_list_records_parse() {
        let check: CoworkerIdentityCheck =
            serde_json::from_value(json!({"Id": 5, "Name": "Check", "VerificationStatus": 2}))
                .expect("parses");
        assert_eq!(
            (check.id, check.verification_status),
            (5, VerificationStatus::Submitted)
        );
    }

    #[test]
    fn lookups_use_pascal_case() {
        let coworker = Coworker {
            id: 7,
            full_name: "Ada Lovelace".into(),
            coworker_type: Some("Member".into()),
            company_name: None,
            billing_name: None,
            business_id: 1,
        };
        let expected = json!({
            "Id": 7, "FullName": "Ada Lovelace", "CoworkerType": "Member",
            "CompanyName": null, "BillingName": null, "BusinessId": 1
        });
        assert_eq!(
            serde_json::to_value(&coworker).expect("serialises"),
            expected
        );
        let business = Business {
            id: 1,
            name: "Downtown".into(),
        };
        assert_eq!(
            serde_json::to_value(&business).expect("serialises"),
            json!({"Id": 1, "Name": "Downtown"})
        );
    }
}
