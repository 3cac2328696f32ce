//! The translation files pass the generator's checks, and the generator refuses each kind of broken
//! file with the file and the key named: the guarantee the component's build relies on.

use std::path::PathBuf;

use idcheck_locales::{Locale, Problem, check, generate, parse};

fn locales_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../locales")
}

fn read(tag: &str) -> Locale {
    let path = locales_dir().join(format!("{tag}.json"));
    let json =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    parse(tag, &format!("locales/{tag}.json"), &json).unwrap_or_else(|problem| panic!("{problem}"))
}

/// `tag`'s file with `change` applied to its entries.
fn broken(tag: &str, change: impl FnOnce(&mut Vec<(String, String)>)) -> Locale {
    let mut locale = read(tag);
    change(&mut locale.entries);
    locale
}

fn problems_of(locale: &Locale) -> Vec<Problem> {
    check(&read("en"), std::slice::from_ref(locale))
}

fn assert_refused(locale: &Locale, key: &str, what: &str) {
    let problems = problems_of(locale);
    assert!(
        problems.iter().any(|problem| problem.file == locale.file
            && problem.key.as_deref() == Some(key)
            && problem.what.contains(what)),
        "expected `{what}` on {key} of {}, got {problems:#?}",
        locale.file
    );
    assert!(
        generate(&read("en"), std::slice::from_ref(locale)).is_err(),
        "the build must fail"
    );
}

/// The first single (not plural) key with a placeholder, and that placeholder.
fn key_with_placeholder(locale: &Locale) -> (String, String) {
    locale
        .entries
        .iter()
        .find(|(key, text)| key == "step_of" && text.contains("{{"))
        .map(|(key, _)| (key.clone(), "total".to_string()))
        .expect("step_of has placeholders")
}

/// Each language's file is complete and consistent, and a broken copy of it is refused.
fn language(tag: &str) {
    let locale = read(tag);
    assert_eq!(problems_of(&locale), Vec::<Problem>::new(), "{tag}");

    let missing = broken(tag, |entries| {
        entries.retain(|(key, _)| key != "welcome_title");
    });
    assert_refused(&missing, "welcome_title", "is missing");

    let (key, placeholder) = key_with_placeholder(&locale);
    let unknown = broken(tag, |entries| {
        for (k, text) in entries.iter_mut() {
            if *k == key {
                *text = text.replace(&format!("{{{{{placeholder}}}}}"), "{{totl}}");
            }
        }
    });
    assert_refused(&unknown, &key, "`{{totl}}`, which English does not");

    let dropped = broken(tag, |entries| {
        for (k, text) in entries.iter_mut() {
            if *k == key {
                *text = text.replace(&format!("{{{{{placeholder}}}}}"), "7");
            }
        }
    });
    assert_refused(&dropped, &key, "lacks the placeholder `{{total}}`");

    let no_other = broken(tag, |entries| {
        entries.retain(|(key, _)| key != "code_locked_out_other");
    });
    assert_refused(&no_other, "code_locked_out_other", "is missing");

    let stray = broken(tag, |entries| {
        entries.push(("welcome_titel".into(), "x".into()));
    });
    assert_refused(&stray, "welcome_titel", "not a key of the English file");
}

macro_rules! languages {
    ($($name:ident => $tag:literal),* $(,)?) => {
        $(#[test] fn $name() { language($tag); })*

        #[test]
        fn every_file_in_locales_is_one_of_the_fifteen() {
            let mut tags: Vec<String> = std::fs::read_dir(locales_dir())
                .unwrap()
                .filter_map(|entry| entry.ok()?.path().file_stem()?.to_str().map(str::to_string))
                .collect();
            tags.sort();
            let mut expected = vec!["en".to_string(), $($tag.to_string()),*];
            expected.sort();
            assert_eq!(tags, expected);
        }
    };
}

languages! {
    spanish => "es", french => "fr", german => "de", italian => "it",
    portuguese_brazil => "pt-BR", dutch => "nl", polish => "pl", turkish => "tr",
    ukrainian => "uk", arabic => "ar", hebrew => "he", japanese => "ja", korean => "ko",
    chinese_simplified => "zh-CN",
}

#[test]
fn a_plural_form_the_language_needs_is_required_and_one_it_lacks_is_refused() {
    // Polish needs `few` and `many`; English's file has neither.
    let mut polish = read("en");
    polish.tag = "pl".into();
    polish.file = "locales/pl.json".into();
    assert_refused(&polish, "code_locked_out_few", "is missing");
    // Japanese has only `other`: a `one` form is a mistake.
    let mut japanese = read("en");
    japanese.tag = "ja".into();
    japanese.file = "locales/ja.json".into();
    assert_refused(&japanese, "code_locked_out_one", "has no `one` plural form");
}

#[test]
fn unreadable_files_are_refused_with_their_name() {
    let problem = parse("fr", "locales/fr.json", "{\"a\": 1}").unwrap_err();
    assert_eq!(problem.key.as_deref(), Some("a"));
    assert!(problem.to_string().starts_with("locales/fr.json: key `a`"));
    let problem = parse("fr", "locales/fr.json", "{\"a\": \"x\",").unwrap_err();
    assert!(problem.to_string().contains("not valid JSON"), "{problem}");
    let problem = parse("fr", "locales/fr.json", "[]").unwrap_err();
    assert!(problem.to_string().contains("one JSON object"), "{problem}");
    let problem = parse("fr", "locales/fr.json", "{\"a\": \"  \"}").unwrap_err();
    assert!(problem.to_string().contains("is empty"), "{problem}");
    let open = broken("es", |entries| {
        entries[0].1.push_str(" {{n");
    });
    let key = open.entries[0].0.clone();
    assert_refused(&open, &key, "not closed");
}

#[test]
fn the_generated_code_names_every_key_and_versions_every_file() {
    let english = read("en");
    let spanish = read("es");
    let code = generate(&english, std::slice::from_ref(&spanish)).unwrap();
    assert!(code.contains("    WelcomeTitle,\n"));
    assert!(code.contains("Text::CodeLockedOut => \"code_locked_out\""));
    assert!(code.contains("(\"code_locked_out_one\", "));
    assert!(code.contains(&format!(
        "\"es\" => Some(\"locales/es.json?v={}\")",
        spanish.digest
    )));
    // Another content gives another version.
    let changed = parse("es", "locales/es.json", "{\"language\": \"Lengua\"}").unwrap();
    assert_ne!(changed.digest, spanish.digest);
}
