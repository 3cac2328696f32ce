//! The API's enums, written as the JSON integers the seeds list. An unknown number is an error,
//! never a silent default: a new value on Nexudus's side must be noticed, not misread.

use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::CoreError;

/// What every API enum offers, so code can be written once for all of them (a `<select>` of
/// choices, a database column). Each enum also has these as inherent items, so callers need not
/// import the trait.
pub trait ApiEnum:
    Copy
    + Eq
    + std::hash::Hash
    + fmt::Debug
    + fmt::Display
    + Serialize
    + for<'de> Deserialize<'de>
    + 'static
{
    /// The enum's name in the API documents, e.g. `eIdVerificationType`.
    const API_ENUM: &'static str;
    /// Every variant, `None` included, in numeric order.
    const ALL: &'static [Self];
    /// The number the API uses for this value.
    fn code(self) -> u16;
    /// The value the API means by `code`, if it defines one.
    fn from_code(code: u16) -> Option<Self>;
    /// The name the API documents give this value.
    fn api_name(self) -> &'static str;
}

/// Declares one API enum with its numbers and names, so that the numbers, `ALL`, the names and
/// the serde form are written once per variant and cannot disagree.
macro_rules! api_enum {
    (
        $(#[$meta:meta])*
        $name:ident = $api_enum:literal {
            $( $(#[$variant_meta:meta])* $variant:ident = $code:literal, $api_name:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        #[repr(u16)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                #[doc = concat!("`", stringify!($code), "` = `", $api_name, "`.")]
                $variant = $code,
            )+
        }

        impl $name {
            /// The enum's name in the API documents.
            pub const API_ENUM: &'static str = $api_enum;

            /// Every variant, `None` included, in numeric order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The number the API uses for this value.
            pub const fn code(self) -> u16 {
                self as u16
            }

            /// The value the API means by `code`, if it defines one.
            pub const fn from_code(code: u16) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The name the API documents give this value, e.g. `DriversLicense`.
            pub const fn api_name(self) -> &'static str {
                match self {
                    $(Self::$variant => $api_name,)+
                }
            }
        }

        impl ApiEnum for $name {
            const API_ENUM: &'static str = $api_enum;
            const ALL: &'static [Self] = $name::ALL;

            fn code(self) -> u16 {
                $name::code(self)
            }

            fn from_code(code: u16) -> Option<Self> {
                $name::from_code(code)
            }

            fn api_name(self) -> &'static str {
                $name::api_name(self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.api_name())
            }
        }

        impl TryFrom<u16> for $name {
            type Error = CoreError;

            fn try_from(code: u16) -> Result<Self, CoreError> {
                Self::from_code(code).ok_or(CoreError::UnknownEnumValue {
                    enum_name: Self::API_ENUM,
                    value: u64::from(code),
                })
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u16(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = u64::deserialize(deserializer)?;
                u16::try_from(value)
                    .ok()
                    .and_then(Self::from_code)
                    .ok_or_else(|| {
                        D::Error::custom(CoreError::UnknownEnumValue {
                            enum_name: Self::API_ENUM,
                            value,
                        })
                    })
            }
        }
    };
}

api_enum! {
    /// How a check is performed (`IdentityCheckProvider`). Nexudus defaults it to `Manual`.
    IdentityCheckProvider = "eIdentityCheckProvider" {
        #[default]
        None = 0, "None";
        /// The operator reviews the documents.
        Manual = 1, "Manual";
        /// Stripe Identity performs the check on Stripe's side.
        StripeIdentity = 2, "StripeIdentity";
    }
}

api_enum! {
    /// The kind of identity document (`IdentityDocumentType`), for an `IdDocument` check.
    IdentityDocumentType = "eIdentityCheckDocumentType" {
        #[default]
        None = 0, "None";
        Passport = 1, "Passport";
        DriversLicense = 2, "DriversLicense";
        IdCard = 3, "IdCard";
        UniformedServiceId = 4, "UniformedServiceId";
        CertificateOfNaturalization = 5, "CertificateOfNaturalization";
        AccessCard = 6, "AccessCard";
        MatriculaConsular = 7, "MatriculaConsular";
        ResidentCard = 8, "ResidentCard";
        UniversityId = 9, "UniversityId";
        NexusCard = 10, "NEXUSCard";
        Other = 99, "Other";
    }
}

api_enum! {
    /// The kind of address document (`AddressDocumentType`), for an `Address` check.
    AddressDocumentType = "eAddressCheckDocumentType" {
        #[default]
        None = 0, "None";
        Passport = 1, "Passport";
        DriversLicense = 2, "DriversLicense";
        IdCard = 3, "IdCard";
        LeaseRentalAgreement = 4, "LeaseRentalAgreement";
        InsurancePolicy = 5, "InsurancePolicy";
        Mortgage = 6, "Mortgage";
        VehicleRegistrationCard = 7, "VehicleRegistrationCard";
        VoterCard = 8, "VoterCard";
        Other = 99, "Other";
    }
}

api_enum! {
    /// What a check verifies (`VerificationType`); it decides which fields and files apply.
    VerificationType = "eIdVerificationType" {
        #[default]
        None = 0, "None";
        /// The member's identity, from an official document.
        IdDocument = 1, "IdDocument";
        /// The member's address, from a supporting document.
        Address = 2, "Address";
    }
}

api_enum! {
    /// Where a check or a document is in its review (`VerificationStatus`):
    /// Pending → Submitted → Successful or Failed, or Cancelled.
    VerificationStatus = "eIdVerificationStatus" {
        #[default]
        None = 0, "None";
        Pending = 1, "Pending";
        Submitted = 2, "Submitted";
        Successful = 3, "Successful";
        Failed = 4, "Failed";
        Cancelled = 5, "Cancelled";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a generic check on every enum of the API, so each property is written once for all.
    macro_rules! for_each_enum {
        ($check:ident) => {
            $check::<IdentityCheckProvider>();
            $check::<IdentityDocumentType>();
            $check::<AddressDocumentType>();
            $check::<VerificationType>();
            $check::<VerificationStatus>();
        };
    }

    /// The seeds' enum tables, copied from seed 002: (enum, [(value, name)]).
    const SEED_TABLES: &[(&str, &[(u16, &str)])] = &[
        (
            "eIdentityCheckProvider",
            &[(0, "None"), (1, "Manual"), (2, "StripeIdentity")],
        ),
        (
            "eIdentityCheckDocumentType",
            &[
                (0, "None"),
                (1, "Passport"),
                (2, "DriversLicense"),
                (3, "IdCard"),
                (4, "UniformedServiceId"),
                (5, "CertificateOfNaturalization"),
                (6, "AccessCard"),
                (7, "MatriculaConsular"),
                (8, "ResidentCard"),
                (9, "UniversityId"),
                (10, "NEXUSCard"),
                (99, "Other"),
            ],
        ),
        (
            "eAddressCheckDocumentType",
            &[
                (0, "None"),
                (1, "Passport"),
                (2, "DriversLicense"),
                (3, "IdCard"),
                (4, "LeaseRentalAgreement"),
                (5, "InsurancePolicy"),
                (6, "Mortgage"),
                (7, "VehicleRegistrationCard"),
                (8, "VoterCard"),
                (99, "Other"),
            ],
        ),
        (
            "eIdVerificationType",
            &[(0, "None"), (1, "IdDocument"), (2, "Address")],
        ),
        (
            "eIdVerificationStatus",
            &[
                (0, "None"),
                (1, "Pending"),
                (2, "Submitted"),
                (3, "Successful"),
                (4, "Failed"),
                (5, "Cancelled"),
            ],
        ),
    ];

    fn matches_the_seed_table<E: ApiEnum>() {
        let (_, table) = SEED_TABLES
            .iter()
            .find(|(name, _)| *name == E::API_ENUM)
            .unwrap_or_else(|| panic!("{} has a seed table", E::API_ENUM));
        let built: Vec<(u16, &str)> = E::ALL.iter().map(|v| (v.code(), v.api_name())).collect();
        assert_eq!(built, *table, "{}", E::API_ENUM);
    }

    fn round_trips<E: ApiEnum>() {
        for &value in E::ALL {
            assert_eq!(E::from_code(value.code()), Some(value));
            let json = serde_json::to_value(value).expect("serialises");
            assert_eq!(
                json,
                serde_json::json!(value.code()),
                "{value:?} is written as its number"
            );
            assert_eq!(serde_json::from_value::<E>(json).expect("parses"), value);
        }
    }

    fn only_listed_numbers_are_known<E: ApiEnum>() {
        let known = (0..=u16::MAX)
            .filter(|&code| E::from_code(code).is_some())
            .count();
        assert_eq!(known, E::ALL.len(), "{}", E::API_ENUM);
    }

    fn unknown_numbers_fail<E: ApiEnum>() {
        let largest = E::ALL.iter().map(|v| v.code()).max().unwrap_or(0);
        let unknowns = [
            serde_json::json!(largest + 1),
            serde_json::json!(-1),
            serde_json::json!(70_000),
            serde_json::json!(1.5),
            serde_json::json!("1"),
            serde_json::Value::Null,
        ];
        for unknown in unknowns {
            let parsed = serde_json::from_value::<E>(unknown.clone());
            assert!(
                parsed.is_err(),
                "{unknown} must not parse as {}, got {parsed:?}",
                E::API_ENUM
            );
        }
    }

    #[test]
    fn every_enum_matches_its_seed_table() {
        for_each_enum!(matches_the_seed_table);
    }

    #[test]
    fn every_enum_round_trips_through_code_and_serde() {
        for_each_enum!(round_trips);
    }

    #[test]
    fn every_enum_knows_only_its_listed_numbers() {
        for_each_enum!(only_listed_numbers_are_known);
    }

    #[test]
    fn every_enum_rejects_unknown_numbers() {
        for_each_enum!(unknown_numbers_fail);
    }

    #[test]
    fn unknown_number_error_names_the_enum() {
        let error = serde_json::from_str::<VerificationType>("7").expect_err("7 is unknown");
        assert_eq!(error.to_string(), "7 is not a value of eIdVerificationType");
        assert_eq!(
            VerificationStatus::try_from(9),
            Err(CoreError::UnknownEnumValue {
                enum_name: "eIdVerificationStatus",
                value: 9
            })
        );
        assert_eq!(
            VerificationStatus::try_from(3),
            Ok(VerificationStatus::Successful)
        );
    }

    #[test]
    fn displays_the_api_name_and_defaults_to_none() {
        assert_eq!(IdentityDocumentType::NexusCard.to_string(), "NEXUSCard");
        assert_eq!(IdentityDocumentType::default(), IdentityDocumentType::None);
    }
}
