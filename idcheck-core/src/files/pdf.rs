//! How many pages a PDF has, for the member to see that they chose the right file (a PDF is shown
//! by its name, size and page count rather than a preview). Counted without a PDF library, which
//! would cost the browser bundle far more than the whole component: the file's uncompressed
//! objects are read, never its streams.
//!
//! A page is an indirect object whose dictionary has `/Type /Page` (not `/Pages`, the tree's
//! inner nodes). Each object number counts once, its last definition deciding, since an
//! incremental update appends a new version of an object after the old one. Where the page tree's
//! root states its `/Count`, the two must agree.
//!
//! The count is left out (`None`) rather than given wrong when it cannot be trusted:
//! - the file has compressed object streams (`/ObjStm`, PDF 1.5+): page objects may be inside
//!   them, where only inflating the stream would show them, so counting the visible ones could
//!   give too few;
//! - the objects counted and the tree's `/Count` disagree (a page left behind by an incremental
//!   update that removed it from the tree, a name written with `#` escapes);
//! - no page is found at all (a damaged file, or not a PDF).

use std::collections::BTreeMap;

/// The magic number every PDF starts with.
pub const MAGIC: &[u8] = b"%PDF-";

/// The number of pages of the PDF `bytes`, when it can be counted reliably (see the module's
/// comment for when it cannot).
pub fn page_count(bytes: &[u8]) -> Option<u32> {
    if !bytes.starts_with(MAGIC) || find(bytes, b"/ObjStm", 0).is_some() {
        return None;
    }
    // Object number → (is a page, the `/Count` it states when it is a page tree node).
    let mut objects: BTreeMap<u64, (bool, Option<u64>)> = BTreeMap::new();
    let mut at = 0;
    while let Some(keyword) = find(bytes, b"obj", at) {
        at = keyword + 3;
        let Some(number) = object_number(bytes, keyword) else {
            continue;
        };
        if bytes.get(at).is_some_and(|&b| is_regular(b)) {
            continue; // `objx`: not the keyword
        }
        let end_object = find(bytes, b"endobj", at);
        let stream = find(bytes, b"stream", at).filter(|s| end_object.is_none_or(|e| *s < e));
        let dictionary = &bytes[at..stream.or(end_object).unwrap_or(bytes.len())];
        let kind = type_name(dictionary);
        let entry = match kind {
            Some(b"Page") => (true, None),
            Some(b"Pages") => (false, count(dictionary)),
            _ => (false, None),
        };
        objects.insert(number, entry);
        // A stream's data is never read: it may hold anything, `obj` and `/Type /Page` included.
        at = match stream {
            Some(start) => match find(bytes, b"endstream", start + 6) {
                Some(end) => end + 9,
                None => break,
            },
            None => end_object.map_or(bytes.len(), |end| end + 6),
        };
    }
    let pages = objects.values().filter(|(page, _)| *page).count();
    let pages = u32::try_from(pages).ok().filter(|pages| *pages > 0)?;
    // The root holds every page, so its count is the largest of the tree's.
    match objects.values().filter_map(|(_, count)| *count).max() {
        Some(stated) if stated != u64::from(pages) => None,
        _ => Some(pages),
    }
}

/// The object number of the `N G obj` header whose keyword starts at `keyword`.
fn object_number(bytes: &[u8], keyword: usize) -> Option<u64> {
    let before = &bytes[..keyword];
    let rest = before.strip_suffix_whitespace()?;
    let (rest, _generation) = rest.strip_suffix_number()?;
    let rest = rest.strip_suffix_whitespace()?;
    let (rest, number) = rest.strip_suffix_number()?;
    // The number stands alone: at the start, or after whitespace or a delimiter.
    rest.last()
        .is_none_or(|&b| !is_regular(b))
        .then_some(number)
}

trait Backwards: Sized {
    fn strip_suffix_whitespace(self) -> Option<Self>;
    fn strip_suffix_number(self) -> Option<(Self, u64)>;
}

impl Backwards for &[u8] {
    /// At least one whitespace byte removed from the end.
    fn strip_suffix_whitespace(self) -> Option<Self> {
        let kept = self.len() - self.iter().rev().take_while(|&&b| is_white(b)).count();
        (kept < self.len()).then(|| &self[..kept])
    }

    /// One to ten digits removed from the end, and their value.
    fn strip_suffix_number(self) -> Option<(Self, u64)> {
        let digits = self.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 10 {
            return None;
        }
        let (rest, number) = self.split_at(self.len() - digits);
        let value = std::str::from_utf8(number).ok()?.parse().ok()?;
        Some((rest, value))
    }
}

/// The name after the dictionary's `/Type` key (`Page`, `Pages`, `Catalog`…).
fn type_name(dictionary: &[u8]) -> Option<&[u8]> {
    let mut at = 0;
    while let Some(key) = find(dictionary, b"/Type", at) {
        at = key + 5;
        if dictionary.get(at).is_some_and(|&b| is_regular(b)) {
            continue; // `/TypeX`, another key
        }
        let value = skip_white(dictionary, at);
        if dictionary.get(value) != Some(&b'/') {
            continue;
        }
        let name = &dictionary[value + 1..];
        let length = name.iter().take_while(|&&b| is_regular(b)).count();
        return Some(&name[..length]);
    }
    None
}

/// A page tree node's `/Count`, when it is written as a number (not a reference to one).
fn count(dictionary: &[u8]) -> Option<u64> {
    let key = find(dictionary, b"/Count", 0)?;
    let start = skip_white(dictionary, key + 6);
    let digits = dictionary[start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let value: u64 = std::str::from_utf8(&dictionary[start..start + digits])
        .ok()?
        .parse()
        .ok()?;
    // `/Count 12 0 R` names object 12, whose value is elsewhere.
    let after = skip_white(dictionary, start + digits);
    let generation = dictionary[after..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let reference =
        generation > 0 && dictionary.get(skip_white(dictionary, after + generation)) == Some(&b'R');
    (!reference).then_some(value)
}

fn skip_white(bytes: &[u8], from: usize) -> usize {
    from + bytes
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| is_white(b))
        .count()
}

/// PDF's whitespace (ISO 32000-1, 7.2.2).
fn is_white(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// A regular character: neither whitespace nor a delimiter, so part of a name or keyword.
fn is_regular(b: u8) -> bool {
    !is_white(b) && !b"()<>[]{}/%".contains(&b)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF with these objects (numbered from 1) and a cross-reference table, as a writer would
    /// lay it out.
    fn pdf(objects: &[&str]) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", index + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n", objects.len() + 1).as_bytes());
        out.extend_from_slice(b"0000000000 65535 f \n");
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    /// A catalog, a page tree and `pages` pages, each with a small content stream.
    fn pages(pages: usize) -> Vec<u8> {
        let first_page = 3;
        let kids: Vec<String> = (0..pages)
            .map(|i| format!("{} 0 R", first_page + 2 * i))
            .collect();
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {pages} >>",
                kids.join(" ")
            ),
        ];
        for i in 0..pages {
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R >>",
                first_page + 2 * i + 1
            ));
            let text = format!("BT /F1 12 Tf 72 720 Td (Page {}) Tj ET", i + 1);
            objects.push(format!(
                "<< /Length {} >>\nstream\n{text}\nendstream",
                text.len()
            ));
        }
        let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
        pdf(&objects)
    }

    #[test]
    fn counts_page_objects_not_the_tree() {
        assert_eq!(page_count(&pages(1)), Some(1));
        assert_eq!(page_count(&pages(3)), Some(3));
        assert_eq!(page_count(&pages(40)), Some(40));
    }

    #[test]
    fn reads_names_however_they_are_spaced() {
        let tight = pdf(&[
            "<</Type/Catalog/Pages 2 0 R>>",
            "<</Type/Pages/Kids[3 0 R 4 0 R]/Count 2>>",
            "<</Type/Page/Parent 2 0 R>>",
            "<</Parent 2 0 R\r\n/Type\r\n/Page>>",
        ]);
        assert_eq!(page_count(&tight), Some(2));
    }

    #[test]
    fn an_incremental_update_redefines_an_object_without_adding_a_page() {
        let mut bytes = pages(2);
        // A later version of page 1 (object 3), appended as an editor saves it.
        bytes.extend_from_slice(
            b"3 0 obj\n<< /Type /Page /Parent 2 0 R /Rotate 90 /Contents 4 0 R >>\nendobj\n\
              trailer\n<< /Size 7 /Root 1 0 R /Prev 0 >>\n%%EOF\n",
        );
        assert_eq!(page_count(&bytes), Some(2));
    }

    #[test]
    fn what_a_stream_holds_is_never_counted() {
        let text = "3 0 obj << /Type /Page >> endobj 9 0 obj << /Type /Page >> endobj";
        let bytes = pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            &format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        ]);
        assert_eq!(page_count(&bytes), Some(1));
    }

    #[test]
    fn with_compressed_object_streams_the_count_is_left_out() {
        // Pages inside an object stream are invisible without inflating it: say nothing rather
        // than a count that is too low.
        let bytes = pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /ObjStm /N 2 /First 10 /Filter /FlateDecode /Length 4 >>\nstream\nx\u{1}\u{2}\u{3}\nendstream",
            "<< /Type /Page /Parent 2 0 R >>",
        ]);
        assert_eq!(page_count(&bytes), None);
    }

    #[test]
    fn a_count_that_disagrees_with_the_pages_found_is_left_out() {
        // The tree says 3 but only 2 page objects are readable (the third written with a
        // `#`-escaped name): the count is not given.
        let bytes = pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>",
            "<< /Type /Page /Parent 2 0 R >>",
            "<< /Type /Page /Parent 2 0 R >>",
            "<< /Type /P#61ge /Parent 2 0 R >>",
        ]);
        assert_eq!(page_count(&bytes), None);
        // A count given by reference is not read; the page objects alone decide.
        let referenced = pdf(&[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [4 0 R 5 0 R] /Count 3 0 R >>",
            "7",
            "<< /Type /Page /Parent 2 0 R >>",
            "<< /Type /Page /Parent 2 0 R >>",
        ]);
        assert_eq!(page_count(&referenced), Some(2));
    }

    #[test]
    fn anything_else_has_no_count() {
        assert_eq!(page_count(b""), None);
        assert_eq!(page_count(b"%PDF-"), None);
        assert_eq!(page_count(b"%PDF-1.7\n garbage obj endobj"), None);
        assert_eq!(
            page_count(b"\xff\xd8\xff 1 0 obj << /Type /Page >> endobj"),
            None
        );
        let mut cut = pages(3);
        cut.truncate(cut.len() / 3);
        // A file cut short: whatever it says, it is never a panic.
        let _ = page_count(&cut);
        let mut unterminated = b"%PDF-1.4\n1 0 obj << /Type /Page >> stream\nabc".to_vec();
        assert_eq!(page_count(&unterminated), Some(1));
        unterminated.extend_from_slice(b"\n2 0 obj");
        assert_eq!(page_count(&unterminated), Some(1));
    }
}
