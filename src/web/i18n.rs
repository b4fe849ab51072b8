//! The hosted pages in the customer's language: the translations (Fluent
//! files under `templates/locales/{lang}/`, embedded at compile time), which
//! language a request gets, and the links that switch it.
//!
//! Templates and page builders look every text up by its message id:
//! `t.get("id")`, `t.arg("id", "name", value)`, `t.args("id", &[...])` or
//! `t.count("id", "name", n)`. A test checks that every id used that way
//! exists in every language ([`tests`]); ids made at run time (a country,
//! a state, a month) go through [`Translator::get_dyn`] and are checked
//! from their lists.

use super::brand::Brand;
use std::{
    borrow::Cow,
    collections::HashMap,
    sync::{LazyLock, PoisonError, RwLock},
};

use actix_session::{Session as BrowserSession, SessionExt};
use actix_web::{HttpRequest, http::header::ACCEPT_LANGUAGE};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use crate::domain::locale::Locale;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./templates/locales",
        fallback_language: "en",
        // Plain text, without Unicode isolation marks around arguments:
        // askama escapes it for HTML.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Messages without arguments, formatted once and kept for the life of the
/// process (a form page shows about a hundred). Only ids found in the
/// translation files are kept, so what is kept is bounded by them.
type PlainMessages = HashMap<(Locale, &'static str), &'static str, foldhash::fast::RandomState>;

static PLAIN_MESSAGES: LazyLock<RwLock<PlainMessages>> = LazyLock::new(|| RwLock::new(PlainMessages::default()));

/// The message `id` in `locale`, if it was formatted before.
fn plain_message(locale: Locale, id: &str) -> Option<&'static str> {
    let messages = PLAIN_MESSAGES.read().unwrap_or_else(PoisonError::into_inner);
    // The map's keys outlive `id`: read it as a map of shorter-lived keys.
    let messages: &HashMap<(Locale, &str), &'static str, _> = &messages;
    messages.get(&(locale, id)).copied()
}

/// Keeps the formatted message `id` in `locale`, and returns it.
fn keep_plain_message(locale: Locale, id: &str, text: String) -> &'static str {
    let mut messages = PLAIN_MESSAGES.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(kept) = (&*messages as &HashMap<(Locale, &str), &'static str, _>).get(&(locale, id)) {
        return kept;
    }
    let id: &'static str = Box::leak(id.to_owned().into_boxed_str());
    let text: &'static str = Box::leak(text.into_boxed_str());
    messages.insert((locale, id), text);
    text
}

/// Where the browser session keeps the customer's explicit choice.
const CHOICE_KEY: &str = "locale";

/// The query parameter of the links that switch language.
pub const SWITCH_PARAM: &str = "lang";

static IDENTIFIERS: LazyLock<Vec<(Locale, LanguageIdentifier)>> = LazyLock::new(|| {
    Locale::ALL
        .iter()
        .filter_map(|locale| Some((*locale, locale.as_str().parse().ok()?)))
        .collect()
});

fn identifier(locale: Locale) -> Option<&'static LanguageIdentifier> {
    IDENTIFIERS.iter().find(|(l, _)| *l == locale).map(|(_, id)| id)
}

/// The texts of one page in one language, the links to the same page in
/// the other languages, and the program's branding around them: what the
/// frame of every page (`base.html`) needs.
#[derive(Debug, Clone, Default)]
pub struct Translator {
    locale: Locale,
    /// The page's path and query, for the language links (none: no links).
    here: Option<String>,
    brand: Brand,
}

/// `(code, name)` lists in every language (the states, the countries), made
/// once and kept for the life of the process: a page with a list would
/// otherwise look up (and sort) every name on every view.
pub struct NamesByLanguage(Vec<(Locale, Vec<(&'static str, String)>)>);

impl NamesByLanguage {
    /// `make` is given each language's translator and returns its list.
    pub fn new(make: impl Fn(&Translator) -> Vec<(&'static str, String)>) -> Self {
        Self(
            Locale::ALL
                .iter()
                .map(|&locale| (locale, make(&Translator::new(locale))))
                .collect(),
        )
    }

    /// The list in `t`'s language, borrowed.
    pub fn of(&'static self, t: &Translator) -> impl Iterator<Item = (&'static str, Cow<'static, str>)> {
        self.0
            .iter()
            .find(|(locale, _)| *locale == t.locale)
            .map_or(&[][..], |(_, names)| names.as_slice())
            .iter()
            .map(|(code, name)| (*code, Cow::Borrowed(name.as_str())))
    }
}

/// A link to the page in another language.
#[derive(Debug, Clone)]
pub struct LanguageLink {
    pub href: String,
    /// The `lang` of the link's text (its language's own name).
    pub lang: &'static str,
    pub name: String,
}

impl Translator {
    pub fn new(locale: Locale) -> Self {
        Self {
            locale,
            here: None,
            brand: Brand::none(),
        }
    }

    /// The program's branding (none on pages that know no program).
    pub fn brand(&self) -> &Brand {
        &self.brand
    }

    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The same language on the page at `here` (its path and query), whose
    /// language links lead there.
    pub fn at(&self, here: String) -> Self {
        Self {
            locale: self.locale,
            here: Some(here),
            brand: self.brand.clone(),
        }
    }

    /// `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.locale.html_lang()
    }

    /// The message `id`.
    pub fn get(&self, id: &str) -> String {
        self.lookup(id, None)
    }

    /// A message whose id is made at run time (`country-MX`).
    pub fn get_dyn(&self, id: &str) -> String {
        self.lookup(id, None)
    }

    /// Whether a message made at run time exists (in this language or English).
    pub fn has(&self, id: &str) -> bool {
        identifier(self.locale).is_some_and(|lang| LOCALES.try_lookup(lang, id).is_some())
    }

    /// The message `id` with one text argument.
    pub fn arg(&self, id: &str, name: &'static str, value: impl std::fmt::Display) -> String {
        self.args(id, &[(name, value.to_string())])
    }

    /// The message `id` with two text arguments.
    pub fn arg2(
        &self,
        id: &str,
        name: &'static str,
        value: impl std::fmt::Display,
        other_name: &'static str,
        other_value: impl std::fmt::Display,
    ) -> String {
        self.args(id, &[(name, value.to_string()), (other_name, other_value.to_string())])
    }

    /// The message `id` with a number (for plurals).
    pub fn count(&self, id: &str, name: &'static str, n: usize) -> String {
        let mut args = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(n));
        self.lookup(id, Some(&args))
    }

    /// The message `id` with text arguments.
    pub fn args(&self, id: &str, values: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = values
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from(value.as_str())))
            .collect();
        self.lookup(id, Some(&args))
    }

    fn lookup(&self, id: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>) -> String {
        self.find(id, args).into_owned()
    }

    /// The message `id`, borrowed when it has no arguments and was
    /// formatted before.
    fn find(&self, id: &str, args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>) -> Cow<'static, str> {
        if args.is_none()
            && let Some(text) = plain_message(self.locale, id)
        {
            return Cow::Borrowed(text);
        }
        let found = identifier(self.locale).and_then(|lang| LOCALES.try_lookup_complete(lang, id, args));
        match found {
            Some(text) if args.is_none() => Cow::Borrowed(keep_plain_message(self.locale, id, text)),
            Some(text) => Cow::Owned(text),
            None => {
                tracing::warn!(message_id = id, locale = %self.locale, "missing translation");
                Cow::Owned(id.to_owned())
            }
        }
    }

    /// A date as people write it in this language ("November 27, 2026",
    /// "27 de noviembre de 2026").
    pub fn date(&self, date: NaiveDate) -> String {
        self.args(
            "date",
            &[
                ("day", date.day().to_string()),
                ("month", self.get_dyn(&format!("month-{}", date.month()))),
                ("year", date.year().to_string()),
            ],
        )
    }

    /// A moment, in UTC ("November 27, 2026 at 14:00 UTC").
    pub fn date_time(&self, moment: DateTime<Utc>) -> String {
        self.args(
            "date-time-utc",
            &[
                ("date", self.date(moment.date_naive())),
                ("time", format!("{:02}:{:02}", moment.hour(), moment.minute())),
            ],
        )
    }

    /// The links to this page in the other languages.
    pub fn switch_links(&self) -> Vec<LanguageLink> {
        let Some(here) = &self.here else {
            return Vec::new();
        };
        Locale::ALL
            .iter()
            .filter(|locale| **locale != self.locale)
            .map(|locale| LanguageLink {
                href: with_language(here, *locale),
                lang: locale.html_lang(),
                name: Self::new(*locale).get("language-name"),
            })
            .collect()
    }
}

/// `path?query` with `lang={locale}` in place of any `lang` it had.
fn with_language(here: &str, locale: Locale) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key != SWITCH_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.push((SWITCH_PARAM.to_owned(), locale.as_str().to_owned()));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

/// `path?query` without its `lang` (where a switch lands).
pub fn without_language(path: &str, query: &str) -> String {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key != SWITCH_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{path}?{query}")
}

/// What decides a page's language, strongest first: the customer's choice
/// (the language links), the platform's `locale` for the session, the
/// browser's `Accept-Language`; else English.
#[derive(Debug, Clone, Default)]
pub struct PageLanguage {
    pub chosen: Option<Locale>,
    pub platform: Option<Locale>,
    pub browser: Option<Locale>,
    /// The page's path and query, for the language links.
    pub here: Option<String>,
    /// The program's branding, once the page knows its session.
    pub brand: Brand,
}

impl PageLanguage {
    /// What the request says: the choice kept in the browser session (when
    /// the session middleware has read it) and `Accept-Language`.
    pub fn of_request(req: &HttpRequest) -> Self {
        let chosen = req
            .get_session()
            .get::<String>(CHOICE_KEY)
            .ok()
            .flatten()
            .and_then(|code| Locale::parse(&code));
        let browser = req
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(Locale::from_accept_language);
        let here = match req.query_string() {
            "" => req.path().to_owned(),
            query => format!("{}?{query}", req.path()),
        };
        Self {
            chosen,
            platform: None,
            browser,
            here: Some(here),
            brand: Brand::none(),
        }
    }

    /// The session's `locale`, once the page knows its session.
    pub fn with_platform(mut self, platform: Option<Locale>) -> Self {
        self.platform = platform;
        self
    }

    pub fn locale(&self) -> Locale {
        self.chosen.or(self.platform).or(self.browser).unwrap_or_default()
    }

    pub fn translator(&self) -> Translator {
        Translator {
            locale: self.locale(),
            here: self.here.clone(),
            brand: self.brand.clone(),
        }
    }
}

/// A `?lang=` on a page's link: the customer's choice, kept in the browser
/// session. `None` when the link has no (valid) choice.
pub fn remember_choice(req: &HttpRequest, session: &BrowserSession) -> Option<Locale> {
    let code = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == SWITCH_PARAM)
        .map(|(_, value)| value.into_owned())?;
    let locale = Locale::parse(&code)?;
    // A cookie that cannot be written leaves the page in its language.
    if let Err(error) = session.insert(CHOICE_KEY, locale.as_str()) {
        tracing::warn!(%error, "language choice not kept");
    }
    Some(locale)
}

/// Whether the request's link carries a `lang` parameter at all.
pub fn asks_to_switch(req: &HttpRequest) -> bool {
    url::form_urlencoded::parse(req.query_string().as_bytes()).any(|(key, _)| key == SWITCH_PARAM)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast::{Entry, Pattern, PatternElement};

    use super::*;
    use crate::domain::{address::US_STATES, countries::COUNTRIES, tasks::TaskCategory};

    const ROOT: &str = env!("CARGO_MANIFEST_DIR");

    /// Every message id of each language, by file, parsed with Fluent's own
    /// parser (a syntax error fails the test).
    fn messages() -> BTreeMap<String, BTreeMap<String, String>> {
        let mut all = BTreeMap::new();
        for locale in Locale::ALL {
            let dir = format!("{ROOT}/templates/locales/{}", locale.as_str());
            let mut ids = BTreeMap::new();
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{dir}: {e}"))
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|e| e == "ftl"))
                .collect();
            files.sort();
            assert!(!files.is_empty(), "no .ftl files in {dir}");
            for path in files {
                let text = std::fs::read_to_string(&path).unwrap();
                let resource = fluent_syntax::parser::parse(text.as_str())
                    .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
                for entry in resource.body {
                    if let Entry::Message(message) = entry {
                        assert!(message.value.is_some(), "{} has no value", message.id.name);
                        let file = path.file_name().unwrap().to_string_lossy().into_owned();
                        let before = ids.insert(message.id.name.to_owned(), file);
                        assert!(before.is_none(), "{} is defined twice in {dir}", message.id.name);
                    }
                }
            }
            all.insert(locale.as_str().to_owned(), ids);
        }
        all
    }

    #[test]
    fn every_language_has_every_message() {
        let all = messages();
        let every: BTreeSet<&String> = all.values().flat_map(BTreeMap::keys).collect();
        let mut missing = Vec::new();
        for (lang, ids) in &all {
            for id in &every {
                if !ids.contains_key(*id) {
                    missing.push(format!("{lang}: {id}"));
                }
            }
        }
        assert!(missing.is_empty(), "missing translations:\n{}", missing.join("\n"));
    }

    /// The message ids the templates and page builders use by name.
    fn used_ids() -> BTreeSet<(String, String)> {
        let mut used = BTreeSet::new();
        let mut sources = Vec::new();
        for dir in ["templates", "src/web", "src/edge"] {
            for entry in std::fs::read_dir(format!("{ROOT}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                    sources.push(path);
                }
            }
        }
        for path in sources {
            let text = std::fs::read_to_string(&path).unwrap();
            for call in ["t.get(\"", "t.arg(\"", "t.arg2(\"", "t.args(\"", "t.count(\""] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let id: String = rest.chars().take_while(|c| *c != '"').collect();
                    used.insert((path.file_name().unwrap().to_string_lossy().into_owned(), id));
                }
            }
        }
        used
    }

    #[test]
    fn every_message_a_page_uses_exists_in_every_language() {
        let all = messages();
        let used = used_ids();
        assert!(used.len() > 100, "the scan found only {} ids", used.len());
        let mut missing = Vec::new();
        for (file, id) in &used {
            // The module documentation's example.
            if file == "i18n.rs" && id == "id" {
                continue;
            }
            for (lang, ids) in &all {
                if !ids.contains_key(id) {
                    missing.push(format!("{file} uses {id:?}, missing in {lang}"));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    #[test]
    fn messages_made_at_run_time_exist_in_every_language() {
        let mut ids: Vec<String> = (1..=12).map(|m| format!("month-{m}")).collect();
        ids.extend(COUNTRIES.iter().map(|(code, _)| format!("country-{code}")));
        ids.extend(US_STATES.iter().map(|(code, _)| format!("state-{code}")));
        ids.extend(
            TaskCategory::ALL
                .iter()
                .map(|c| format!("task-{}", c.as_str().replace('_', "-"))),
        );
        let all = messages();
        for (lang, known) in &all {
            for id in &ids {
                assert!(known.contains_key(id), "{lang} lacks {id}");
            }
        }
    }

    #[test]
    fn english_country_names_are_the_domain_names() {
        let t = Translator::new(Locale::En);
        for (code, name) in COUNTRIES {
            assert_eq!(t.get_dyn(&format!("country-{code}")), name);
        }
        for (code, name) in US_STATES {
            assert_eq!(t.get_dyn(&format!("state-{code}")), name);
        }
    }

    /// A message without placeables in one language but with them in
    /// another is a translation that lost (or invented) a value.
    #[test]
    fn translations_keep_their_arguments() {
        fn variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
            use fluent_syntax::ast::{Expression, InlineExpression};
            for element in &pattern.elements {
                if let PatternElement::Placeable { expression } = element {
                    match expression {
                        Expression::Inline(InlineExpression::VariableReference { id }) => {
                            out.insert(id.name.to_owned());
                        }
                        Expression::Select { selector, variants } => {
                            if let InlineExpression::VariableReference { id } = selector {
                                out.insert(id.name.to_owned());
                            }
                            for variant in variants {
                                variables(&variant.value, out);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        let mut by_lang: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for locale in Locale::ALL {
            let dir = format!("{ROOT}/templates/locales/{}", locale.as_str());
            let map = by_lang.entry(locale.as_str().to_owned()).or_default();
            for entry in std::fs::read_dir(&dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                let resource = fluent_syntax::parser::parse(text.as_str()).unwrap();
                for entry in resource.body {
                    if let Entry::Message(message) = entry
                        && let Some(value) = &message.value
                    {
                        let mut found = BTreeSet::new();
                        variables(value, &mut found);
                        map.insert(message.id.name.to_owned(), found);
                    }
                }
            }
        }
        let english = &by_lang["en"];
        for (lang, messages) in &by_lang {
            for (id, found) in messages {
                if let Some(expected) = english.get(id) {
                    assert_eq!(found, expected, "{lang} {id} uses other arguments than en");
                }
            }
        }
    }

    #[test]
    fn spanish_dates_read_naturally() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(Translator::new(Locale::Es).date(day), "27 de noviembre de 2026");
        assert_eq!(Translator::new(Locale::En).date(day), "November 27, 2026");
        let moment = day.and_hms_opt(14, 5, 0).unwrap().and_utc();
        assert_eq!(
            Translator::new(Locale::Es).date_time(moment),
            "27 de noviembre de 2026 a las 14:05 UTC"
        );
        assert_eq!(
            Translator::new(Locale::En).date_time(moment),
            "November 27, 2026 at 14:05 UTC"
        );
    }

    #[test]
    fn a_plain_message_is_found_again_by_its_borrowed_key() {
        let text = Translator::new(Locale::Es).get("language-name");
        assert_eq!(plain_message(Locale::Es, "language-name"), Some(text.as_str()));
        assert_eq!(plain_message(Locale::En, "no-such-message"), None);
    }

    #[test]
    fn language_links_keep_the_page() {
        let t = Translator {
            locale: Locale::En,
            here: Some("/onboarding/sessions?id=abc&step=business&lang=en".to_owned()),
            brand: Brand::none(),
        };
        let links = t.switch_links();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].href, "/onboarding/sessions?id=abc&step=business&lang=es");
        assert_eq!(links[0].lang, "es");
        assert_eq!(links[0].name, "Español");
        assert_eq!(
            without_language("/onboarding/sessions", "id=abc&lang=es&step=owners"),
            "/onboarding/sessions?id=abc&step=owners"
        );
    }
}
