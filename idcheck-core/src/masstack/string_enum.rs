//! The macro that declares MasStack's string enums (`"NIF"`, `"PENDING"`…), used by the model
//! and the state machine alike.

/// Declares one of the seed's string enums, so that each variant's JSON text is written once and
/// `ALL`, `as_str` and serde cannot disagree. An unknown text is a serde error, never a default:
/// a new value on MasStack's side must be noticed, not misread.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                #[doc = concat!("`\"", $text, "\"`.")]
                #[serde(rename = $text)]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in the seed's order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The JSON text of this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// The value whose JSON text is exactly `text`, e.g. a `<select>`'s value.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(super) use string_enum;
