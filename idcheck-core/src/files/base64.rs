//! Standard base64 (RFC 4648 §4), the encoding of `data:` URLs. Written here because it is small
//! and the core takes no dependency it can do without.

use crate::error::CoreError;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` as padded base64.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk.iter().enumerate().fold(0u32, |group, (i, &byte)| {
            group | (u32::from(byte) << (16 - 8 * i))
        });
        // A chunk of n bytes carries n + 1 significant characters; padding fills the rest.
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(char::from(
                    ALPHABET[((group >> (18 - 6 * i)) & 0x3f) as usize],
                ));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// The bytes `text` encodes. Padding is optional and ASCII whitespace is ignored, as browsers
/// do; anything else outside the alphabet, or a length no encoder produces, is an error.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, CoreError> {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3);
    let mut group = 0u32;
    let mut count = 0usize;
    let mut padding_at = None;
    for (offset, character) in text.bytes().enumerate() {
        if character.is_ascii_whitespace() {
            continue;
        }
        if character == b'=' {
            padding_at.get_or_insert(offset);
            continue;
        }
        // A character after the padding, or outside the alphabet, cannot be decoded.
        let (None, Some(value)) = (padding_at, sextet(character)) else {
            return Err(CoreError::InvalidBase64 { offset });
        };
        group = (group << 6) | u32::from(value);
        count += 1;
        if count.is_multiple_of(4) {
            bytes.extend_from_slice(&group.to_be_bytes()[1..]);
            group = 0;
        }
    }
    match count % 4 {
        0 => {}
        // One leftover character holds only 6 bits: not even one byte.
        1 => return Err(CoreError::InvalidBase64 { offset: text.len() }),
        leftover => {
            let group = group << (6 * (4 - leftover));
            bytes.extend_from_slice(&group.to_be_bytes()[1..leftover]);
        }
    }
    Ok(bytes)
}

fn sextet(character: u8) -> Option<u8> {
    match character {
        b'A'..=b'Z' => Some(character - b'A'),
        b'a'..=b'z' => Some(character - b'a' + 26),
        b'0'..=b'9' => Some(character - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vectors of RFC 4648 §10.
    const VECTORS: &[(&str, &str)] = &[
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn encodes_and_decodes_the_rfc_vectors() {
        for &(plain, encoded) in VECTORS {
            assert_eq!(encode(plain.as_bytes()), encoded, "{plain:?}");
            assert_eq!(
                decode(encoded).as_deref(),
                Ok(plain.as_bytes()),
                "{encoded:?}"
            );
        }
    }

    #[test]
    fn round_trips_every_byte_value_and_length() {
        let bytes: Vec<u8> = (0..=255).collect();
        for length in 0..bytes.len() {
            let slice = &bytes[length..];
            assert_eq!(
                decode(&encode(slice)).as_deref(),
                Ok(slice),
                "length {}",
                slice.len()
            );
        }
    }

    #[test]
    fn tolerates_missing_padding_and_whitespace() {
        let cases = [
            ("Zg", "f"),
            ("Zm8", "fo"),
            ("Zm9v\nYmFy", "foobar"),
            (" Zm9v Yg== ", "foob"),
        ];
        for (encoded, plain) in cases {
            assert_eq!(
                decode(encoded).as_deref(),
                Ok(plain.as_bytes()),
                "{encoded:?}"
            );
        }
    }

    #[test]
    fn rejects_what_no_encoder_produces() {
        let cases = [
            ("Zm9v!", 4),
            ("Zg==Zg==", 4),
            ("Z", 1),
            ("Zm9vY", 5),
            ("Zm-v", 2),
            ("Zm_v", 2),
        ];
        for (encoded, offset) in cases {
            assert_eq!(
                decode(encoded),
                Err(CoreError::InvalidBase64 { offset }),
                "{encoded:?}"
            );
        }
    }
}
