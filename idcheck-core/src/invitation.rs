//! The form of an invitation code, which the gateway hands out and the member types: 8 characters
//! from an alphabet without look-alikes, so a code read off a screen or a letter is typed right.
//! The browser and the gateway read a typed code with the same function, so what the field
//! accepts is what the gateway looks up.

/// How many characters a code has.
pub const CODE_LENGTH: usize = 8;

/// The characters codes are made of: no 0/O, 1/I/L, 2/Z, 5/S or 8/B.
pub const ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY3479";

/// A code as written (any case, with spaces or dashes) in its stored form: upper case, without
/// the spaces and dashes. `None` when it cannot be a code: the wrong length, or a character that
/// is neither a letter nor a digit. A look-alike (an `O` for a `0`) is kept as typed, so it simply
/// matches no code.
pub fn normalise(written: &str) -> Option<String> {
    let code: String = written
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.chars().count() == CODE_LENGTH && code.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_ignore_case_spaces_and_dashes() {
        for written in ["K7M3QX9A", "k7m3-qx9a", " K7M3 QX9A ", "k7-m3-qx-9a"] {
            assert_eq!(normalise(written).as_deref(), Some("K7M3QX9A"), "{written}");
        }
        for written in [
            "",
            "K7M3QX9",
            "K7M3QX9AB",
            "K7M3_QX9A",
            "K7M3QX9É",
            "--------",
        ] {
            assert_eq!(normalise(written), None, "{written}");
        }
    }

    #[test]
    fn the_alphabet_has_no_look_alikes_and_no_repeats() {
        for look_alike in b"0O1IL2Z5S8B" {
            assert!(!ALPHABET.contains(look_alike), "{}", *look_alike as char);
        }
        let mut sorted = ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALPHABET.len());
    }
}
