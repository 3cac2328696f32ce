//! Which files a document needs. A document record holds up to three files (seeds 000 and 001);
//! which of them a member must provide depends on what the check verifies and on the document:
//! a passport has no back, an address document needs no face photo.

use serde::{Deserialize, Serialize};

use crate::model::{AddressDocumentType, IdentityDocumentType, VerificationType};

/// One of the three files of a document record, in capture order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Slot {
    /// A photograph of the member's face (`Photo…` fields).
    Photo,
    /// The front of the document (`Document…` fields).
    Front,
    /// The back or a supplementary page of the document (`AdditionalDocument…` fields).
    Back,
}

impl Slot {
    /// Every slot, in capture order. An array, so `for slot in Slot::ALL` yields slots by value.
    pub const ALL: [Slot; 3] = [Slot::Photo, Slot::Front, Slot::Back];

    /// The prefix of the slot's fields in the API: `Photo`, `Document`, `AdditionalDocument`.
    pub const fn field_prefix(self) -> &'static str {
        match self {
            Slot::Photo => "Photo",
            Slot::Front => "Document",
            Slot::Back => "AdditionalDocument",
        }
    }

    /// The property that takes the URL of a new file, e.g. `NewPhotoUrl`.
    pub const fn new_url_property(self) -> &'static str {
        match self {
            Slot::Photo => "NewPhotoUrl",
            Slot::Front => "NewDocumentUrl",
            Slot::Back => "NewAdditionalDocumentUrl",
        }
    }

    /// The property that removes the file when `true`, e.g. `ClearPhotoFile`.
    pub const fn clear_property(self) -> &'static str {
        match self {
            Slot::Photo => "ClearPhotoFile",
            Slot::Front => "ClearDocumentFile",
            Slot::Back => "ClearAdditionalDocumentFile",
        }
    }

    /// The property that names the stored file, e.g. `PhotoFileName`.
    pub const fn file_name_property(self) -> &'static str {
        match self {
            Slot::Photo => "PhotoFileName",
            Slot::Front => "DocumentFileName",
            Slot::Back => "AdditionalDocumentFileName",
        }
    }
}

/// Whether a document needs a slot's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Need {
    /// The document is incomplete without it.
    Required,
    /// The member may add it.
    Optional,
    /// The document has no such side; do not ask for it.
    NotUsed,
}

/// The document a check asks for: the verification type together with its document type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentKind {
    /// An identity document, for an `IdDocument` check.
    Identity(IdentityDocumentType),
    /// An address document, for an `Address` check.
    Address(AddressDocumentType),
}

impl DocumentKind {
    /// The verification type this kind of document serves.
    pub const fn verification_type(self) -> VerificationType {
        match self {
            DocumentKind::Identity(_) => VerificationType::IdDocument,
            DocumentKind::Address(_) => VerificationType::Address,
        }
    }

    /// The document a check with these fields asks for; `None` when its verification type is
    /// `None`, since such a check names no document.
    pub const fn for_check(
        verification_type: VerificationType,
        identity: IdentityDocumentType,
        address: AddressDocumentType,
    ) -> Option<DocumentKind> {
        match verification_type {
            VerificationType::IdDocument => Some(DocumentKind::Identity(identity)),
            VerificationType::Address => Some(DocumentKind::Address(address)),
            VerificationType::None => None,
        }
    }
}

/// What a document of `kind` needs in each slot, in capture order (photo, front, back).
///
/// The matches name every identity document type, so a new one cannot slip through unplaced.
const fn needs(kind: DocumentKind) -> [Need; 3] {
    use IdentityDocumentType as Id;
    use Need::{NotUsed, Optional, Required};
    match kind {
        DocumentKind::Identity(Id::Passport | Id::CertificateOfNaturalization) => {
            [Required, Required, NotUsed]
        }
        DocumentKind::Identity(
            Id::DriversLicense
            | Id::IdCard
            | Id::UniformedServiceId
            | Id::AccessCard
            | Id::MatriculaConsular
            | Id::ResidentCard
            | Id::UniversityId
            | Id::NexusCard,
        ) => [Required, Required, Required],
        // An unnamed document may or may not have a second side worth capturing.
        DocumentKind::Identity(Id::Other | Id::None) => [Required, Required, Optional],
        // Address documents prove where, not who: no face photo; a back is extra pages.
        DocumentKind::Address(_) => [NotUsed, Required, Optional],
    }
}

/// Whether a document of `kind` needs `slot`'s file.
pub const fn slot_need(kind: DocumentKind, slot: Slot) -> Need {
    let [photo, front, back] = needs(kind);
    match slot {
        Slot::Photo => photo,
        Slot::Front => front,
        Slot::Back => back,
    }
}

/// The slots a document of `kind` must fill, in capture order.
pub fn required_slots(kind: DocumentKind) -> Vec<Slot> {
    slots_where(kind, |need| need == Need::Required)
}

/// The slots a document of `kind` asks for, required or optional, in capture order.
pub fn used_slots(kind: DocumentKind) -> Vec<Slot> {
    slots_where(kind, |need| need != Need::NotUsed)
}

/// The required slots of `kind` missing from `present`, in capture order.
pub fn missing_slots(kind: DocumentKind, present: &[Slot]) -> Vec<Slot> {
    required_slots(kind)
        .into_iter()
        .filter(|slot| !present.contains(slot))
        .collect()
}

fn slots_where(kind: DocumentKind, keep: impl Fn(Need) -> bool) -> Vec<Slot> {
    Slot::ALL
        .into_iter()
        .filter(|&slot| keep(slot_need(kind, slot)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Need::{NotUsed, Optional, Required};

    /// The README's table, row by row: every document type with its (photo, front, back) needs.
    fn table() -> Vec<(DocumentKind, [Need; 3])> {
        use AddressDocumentType as Address;
        use IdentityDocumentType as Id;
        let mut rows = vec![
            (
                DocumentKind::Identity(Id::None),
                [Required, Required, Optional],
            ),
            (
                DocumentKind::Identity(Id::Passport),
                [Required, Required, NotUsed],
            ),
            (
                DocumentKind::Identity(Id::DriversLicense),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::IdCard),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::UniformedServiceId),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::CertificateOfNaturalization),
                [Required, Required, NotUsed],
            ),
            (
                DocumentKind::Identity(Id::AccessCard),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::MatriculaConsular),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::ResidentCard),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::UniversityId),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::NexusCard),
                [Required, Required, Required],
            ),
            (
                DocumentKind::Identity(Id::Other),
                [Required, Required, Optional],
            ),
        ];
        rows.extend(
            Address::ALL
                .iter()
                .map(|&t| (DocumentKind::Address(t), [NotUsed, Required, Optional])),
        );
        rows
    }

    #[test]
    fn the_table_covers_every_document_type() {
        let rows = table();
        let identity_rows = rows
            .iter()
            .filter(|(kind, _)| matches!(kind, DocumentKind::Identity(_)));
        assert_eq!(identity_rows.count(), IdentityDocumentType::ALL.len());
        assert_eq!(
            rows.len(),
            IdentityDocumentType::ALL.len() + AddressDocumentType::ALL.len()
        );
    }

    #[test]
    fn slot_need_follows_the_table_row_by_row() {
        for (kind, expected) in table() {
            let built: Vec<Need> = Slot::ALL
                .iter()
                .map(|&slot| slot_need(kind, slot))
                .collect();
            assert_eq!(built, expected, "{kind:?}");
        }
    }

    #[test]
    fn required_used_and_missing_slots_follow_the_table() {
        for (kind, needs) in table() {
            let with = |keep: &dyn Fn(Need) -> bool| -> Vec<Slot> {
                Slot::ALL
                    .iter()
                    .zip(needs)
                    .filter(|(_, need)| keep(*need))
                    .map(|(&slot, _)| slot)
                    .collect()
            };
            let required = with(&|need| need == Required);
            assert_eq!(required_slots(kind), required, "{kind:?}");
            assert_eq!(used_slots(kind), with(&|need| need != NotUsed), "{kind:?}");
            assert_eq!(missing_slots(kind, &[]), required, "{kind:?}");
            assert_eq!(missing_slots(kind, &Slot::ALL), [], "{kind:?}");
            assert_eq!(missing_slots(kind, &required), [], "{kind:?}");
        }
    }

    #[test]
    fn missing_slots_lists_only_absent_required_slots() {
        let licence = DocumentKind::Identity(IdentityDocumentType::DriversLicense);
        assert_eq!(
            missing_slots(licence, &[Slot::Front]),
            [Slot::Photo, Slot::Back]
        );
        let passport = DocumentKind::Identity(IdentityDocumentType::Passport);
        assert_eq!(
            missing_slots(passport, &[Slot::Back, Slot::Photo]),
            [Slot::Front]
        );
    }

    #[test]
    fn property_names_follow_the_field_prefix() {
        let prefixes: Vec<&str> = Slot::ALL.iter().map(|slot| slot.field_prefix()).collect();
        assert_eq!(prefixes, ["Photo", "Document", "AdditionalDocument"]);
        for slot in Slot::ALL {
            let prefix = slot.field_prefix();
            assert_eq!(slot.new_url_property(), format!("New{prefix}Url"));
            assert_eq!(slot.clear_property(), format!("Clear{prefix}File"));
            assert_eq!(slot.file_name_property(), format!("{prefix}FileName"));
        }
    }

    #[test]
    fn kinds_know_their_verification_type() {
        let identity = DocumentKind::Identity(IdentityDocumentType::IdCard);
        let address = DocumentKind::Address(AddressDocumentType::Mortgage);
        assert_eq!(identity.verification_type(), VerificationType::IdDocument);
        assert_eq!(address.verification_type(), VerificationType::Address);
    }
}
