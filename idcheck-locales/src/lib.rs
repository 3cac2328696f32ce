//! The component's translation files, checked and turned into Rust at build time.
//!
//! Translators edit one i18next-style JSON file per language (`locales/en.json`, `locales/fr.json`,
//! …): a flat object of keys to texts, `{{name}}` placeholders, and plural forms as `key_one`,
//! `key_other` and the other CLDR categories the language uses. English is the source of truth.
//! The component's `build.rs` calls [`build`]: any file that lacks a key, has a key English does not,
//! uses a placeholder English does not (or drops one), or lacks a plural form its language needs
//! fails the build, naming the file and the key. What passes becomes a typed `Text` enum and the
//! built-in English table; the other languages stay JSON files, fetched when chosen.

use std::collections::BTreeSet;
use std::fmt;

use sha2::{Digest, Sha256};

/// The plural categories each language's rules use (CLDR 44, as the browsers' `Intl.PluralRules`
/// answer them), and so the forms its file must give for every plural key. `other` is always one.
pub fn plural_categories(tag: &str) -> Option<&'static [&'static str]> {
    Some(match tag {
        "en" | "de" | "nl" | "tr" => &["one", "other"],
        "es" | "fr" | "it" | "pt-BR" => &["one", "many", "other"],
        "pl" | "uk" => &["one", "few", "many", "other"],
        "ar" => &["zero", "one", "two", "few", "many", "other"],
        "he" => &["one", "two", "other"],
        "ja" | "ko" | "zh-CN" => &["other"],
        _ => return None,
    })
}

/// Every plural category there is: a key ending in `_` and one of these is a plural form.
const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// What is wrong with a translation file, naming the file and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub key: Option<String>,
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{}: key `{key}`: {}", self.file, self.what),
            None => write!(f, "{}: {}", self.file, self.what),
        }
    }
}

/// One language's file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    /// The BCP 47 tag, from the file name (`pt-BR.json` → `pt-BR`).
    pub tag: String,
    pub file: String,
    /// The entries in the file's order.
    pub entries: Vec<(String, String)>,
    /// The file's content digest, which versions its URL.
    pub digest: String,
}

/// A key of the source: a single text, or a plural family (`key_one`, `key_other`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Family {
    key: String,
    plural: bool,
    /// The placeholders its English text (for a plural family, its `other` form) uses.
    placeholders: BTreeSet<String>,
}

/// Reads a translation file: a JSON object whose values are all strings.
pub fn parse(tag: &str, file: &str, json: &str) -> Result<Locale, Problem> {
    let problem = |key: Option<&str>, what: String| Problem {
        file: file.to_string(),
        key: key.map(str::to_string),
        what,
    };
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|err| problem(None, format!("is not valid JSON: {err}")))?;
    let serde_json::Value::Object(object) = value else {
        return Err(problem(
            None,
            "must be one JSON object of keys to texts".into(),
        ));
    };
    let mut entries = Vec::with_capacity(object.len());
    for (key, value) in object {
        let serde_json::Value::String(text) = value else {
            return Err(problem(Some(&key), "must be a string".into()));
        };
        if text.trim().is_empty() {
            return Err(problem(Some(&key), "is empty".into()));
        }
        entries.push((key, text));
    }
    let digest = Sha256::digest(json.as_bytes());
    Ok(Locale {
        tag: tag.to_string(),
        file: file.to_string(),
        entries,
        digest: digest[..4].iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// The `{{name}}` placeholders of a text; `Err` when a brace is left open.
pub fn placeholders(text: &str) -> Result<BTreeSet<String>, String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("a placeholder is not closed: `{}`", &rest[start..]))?;
        let name = after[..end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{{{{{name}}}}}` is not a placeholder name"));
        }
        found.insert(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(found)
}

/// Splits `key_one` into (`key`, `one`).
fn plural_form(key: &str) -> Option<(&str, &str)> {
    let (base, category) = key.rsplit_once('_')?;
    CATEGORIES.contains(&category).then_some((base, category))
}

/// The source's keys, each single text or plural family once, in the file's order.
fn families(source: &Locale) -> Result<Vec<Family>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut families: Vec<Family> = Vec::new();
    let problem = |key: &str, what: String| Problem {
        file: source.file.clone(),
        key: Some(key.to_string()),
        what,
    };
    for (key, text) in &source.entries {
        if !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || key.starts_with(|c: char| !c.is_ascii_lowercase())
        {
            problems.push(problem(key, "keys are snake_case: a-z, 0-9 and _".into()));
            continue;
        }
        let placeholders = match placeholders(text) {
            Ok(found) => found,
            Err(what) => {
                problems.push(problem(key, what));
                continue;
            }
        };
        let (base, plural) = match plural_form(key) {
            Some((base, _)) => (base, true),
            None => (key.as_str(), false),
        };
        match families.iter_mut().find(|family| family.key == base) {
            Some(family) if family.plural && plural => {
                family.placeholders.extend(placeholders);
            }
            Some(_) => problems.push(problem(
                key,
                format!("`{base}` is both a single text and a plural family"),
            )),
            None => families.push(Family {
                key: base.to_string(),
                plural,
                placeholders,
            }),
        }
    }
    for family in families.iter().filter(|family| family.plural) {
        for category in plural_categories(&source.tag).unwrap_or(&["other"]) {
            let form = format!("{}_{category}", family.key);
            if !source.entries.iter().any(|(key, _)| *key == form) {
                problems.push(problem(&form, "this plural form is missing".into()));
            }
        }
    }
    if problems.is_empty() {
        Ok(families)
    } else {
        Err(problems)
    }
}

/// Every problem of `locale` measured against the source `families`.
fn check_against(families: &[Family], locale: &Locale) -> Vec<Problem> {
    let mut problems = Vec::new();
    let problem = |key: &str, what: String| Problem {
        file: locale.file.clone(),
        key: Some(key.to_string()),
        what,
    };
    let Some(categories) = plural_categories(&locale.tag) else {
        return vec![Problem {
            file: locale.file.clone(),
            key: None,
            what: format!(
                "`{}` is not a language with known plural rules: add it to `plural_categories`",
                locale.tag
            ),
        }];
    };
    let mut seen = BTreeSet::new();
    for (key, text) in &locale.entries {
        if !seen.insert(key.as_str()) {
            problems.push(problem(key, "appears twice".into()));
        }
        let (base, category) = match plural_form(key) {
            Some((base, category)) => (base, Some(category)),
            None => (key.as_str(), None),
        };
        let Some(family) = families.iter().find(|family| family.key == base) else {
            problems.push(problem(key, "is not a key of the English file".into()));
            continue;
        };
        match (family.plural, category) {
            (false, Some(_)) | (true, None) => {
                problems.push(problem(
                    key,
                    if family.plural {
                        "is a plural family in English: give its forms (`_one`, `_other`…)".into()
                    } else {
                        "is a single text in English, not a plural form".into()
                    },
                ));
                continue;
            }
            (true, Some(category)) if !categories.contains(&category) => {
                problems.push(problem(
                    key,
                    format!("`{}` has no `{category}` plural form", locale.tag),
                ));
                continue;
            }
            _ => {}
        }
        let used = match placeholders(text) {
            Ok(used) => used,
            Err(what) => {
                problems.push(problem(key, what));
                continue;
            }
        };
        for unknown in used.difference(&family.placeholders) {
            problems.push(problem(
                key,
                format!("uses the placeholder `{{{{{unknown}}}}}`, which English does not"),
            ));
        }
        // A plural form may say its number in words ("a minute"); any other placeholder it drops
        // would lose what the member needs to read.
        for missing in family.placeholders.difference(&used) {
            if !(family.plural && missing == "count") {
                problems.push(problem(
                    key,
                    format!("lacks the placeholder `{{{{{missing}}}}}`"),
                ));
            }
        }
    }
    for family in families {
        let forms: Vec<String> = if family.plural {
            categories
                .iter()
                .map(|category| format!("{}_{category}", family.key))
                .collect()
        } else {
            vec![family.key.clone()]
        };
        for form in forms {
            if !locale.entries.iter().any(|(key, _)| *key == form) {
                problems.push(problem(&form, "is missing".into()));
            }
        }
    }
    problems
}

/// Checks every file against `source` (English). Empty when all is well.
pub fn check(source: &Locale, others: &[Locale]) -> Vec<Problem> {
    match families(source) {
        Ok(families) => others
            .iter()
            .flat_map(|locale| check_against(&families, locale))
            .collect(),
        Err(problems) => problems,
    }
}

fn camel_case(key: &str) -> String {
    key.split('_')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The Rust the component includes: the `Text` enum (one variant per single text or plural
/// family of the source), English built in as a table sorted by key, and each other language's
/// versioned file name.
pub fn generate(source: &Locale, others: &[Locale]) -> Result<String, Vec<Problem>> {
    let problems = check(source, others);
    if !problems.is_empty() {
        return Err(problems);
    }
    let families = families(source)?;
    let mut out = String::new();
    out.push_str("// Generated from locales/*.json by idcheck-locales: edit the JSON files.\n\n");
    out.push_str("/// The name of a visible string: one per key of `locales/en.json` (a plural family,\n/// `key_one`, `key_other`…, is one name).\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Text {\n");
    for family in &families {
        out.push_str(&format!("    {},\n", camel_case(&family.key)));
    }
    out.push_str("}\n\nimpl Text {\n");
    out.push_str(&format!(
        "    pub const ALL: [Text; {}] = [\n",
        families.len()
    ));
    for family in &families {
        out.push_str(&format!("        Text::{},\n", camel_case(&family.key)));
    }
    out.push_str("    ];\n\n    /// The key in the translation files (for a plural family, without its `_form`).\n    pub const fn key(self) -> &'static str {\n        match self {\n");
    for family in &families {
        out.push_str(&format!(
            "            Text::{} => {:?},\n",
            camel_case(&family.key),
            family.key
        ));
    }
    out.push_str("        }\n    }\n\n    /// Whether the text has plural forms, chosen by a count.\n    pub const fn is_plural(self) -> bool {\n        matches!(self");
    let plural: Vec<String> = families
        .iter()
        .filter(|family| family.plural)
        .map(|family| format!("Text::{}", camel_case(&family.key)))
        .collect();
    if plural.is_empty() {
        out.push_str(", _ if false)\n    }\n}\n\n");
    } else {
        out.push_str(&format!(", {})\n    }}\n}}\n\n", plural.join(" | ")));
    }
    let mut english = source.entries.clone();
    english.sort_by(|a, b| a.0.cmp(&b.0));
    out.push_str(&format!(
        "/// English, built in: every form's key and text, sorted by key.\nstatic ENGLISH: [(&str, &str); {}] = [\n",
        english.len()
    ));
    for (key, text) in &english {
        out.push_str(&format!("    ({key:?}, {text:?}),\n"));
    }
    out.push_str("];\n\n/// Where a language's file is, versioned by its content so a cached copy never outlives a change.\nfn file_of(tag: &str) -> Option<&'static str> {\n    match tag {\n");
    for locale in others {
        out.push_str(&format!(
            "        {:?} => Some(\"locales/{}.json?v={}\"),\n",
            locale.tag, locale.tag, locale.digest
        ));
    }
    out.push_str("        _ => None,\n    }\n}\n");
    Ok(out)
}

/// Reads every `*.json` in `dir` (`en.json` is the source), checks them and writes the generated
/// Rust to `out`. The error lists every problem, one per line.
pub fn build(dir: &std::path::Path, out: &std::path::Path) -> Result<(), String> {
    let mut locales = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|err| format!("{}: {err}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    names.sort();
    let mut problems = Vec::new();
    for path in names {
        let tag = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default()
            .to_string();
        let file = format!("locales/{tag}.json");
        let json =
            std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        match parse(&tag, &file, &json) {
            Ok(locale) => locales.push(locale),
            Err(problem) => problems.push(problem),
        }
    }
    let Some(position) = locales.iter().position(|locale| locale.tag == "en") else {
        problems.push(Problem {
            file: "locales/en.json".into(),
            key: None,
            what: "the English source is missing".into(),
        });
        return Err(report(&problems));
    };
    let source = locales.remove(position);
    if !problems.is_empty() {
        return Err(report(&problems));
    }
    let code = generate(&source, &locales).map_err(|problems| report(&problems))?;
    std::fs::write(out, code).map_err(|err| format!("{}: {err}", out.display()))
}

fn report(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
