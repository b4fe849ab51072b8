//! The hosted form as a browser without JavaScript uses it: cookies, the CSRF
//! token, and a complete corporation.

use reqwest::{Client, StatusCode};

/// A browser: keeps cookies, does not follow redirects.
pub struct Browser {
    pub client: Client,
}

impl Browser {
    pub fn new() -> Self {
        Self {
            client: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub async fn get(&self, url: &str) -> (StatusCode, String) {
        let response = self.client.get(url).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }

    pub async fn post(&self, url: &str, form: &[(String, String)]) -> reqwest::Response {
        self.client.post(url).form(form).send().await.unwrap()
    }
}

pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF token") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub const OWNER0: &str = "corporation.beneficial_owners.0";
pub const OWNER1: &str = "corporation.beneficial_owners.1";

/// A page of the journey behind a session's link.
pub fn step_url(session_url: &str, step: &str) -> String {
    format!("{session_url}&step={step}")
}

/// The answers of an owner's three pages: details, home address, ID.
pub fn owner_pages(prefix: &str, name: &str, ssn: &str, prongs: &[&str]) -> [Vec<(String, String)>; 3] {
    let with = |fields: &[(&str, &str)]| -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| (format!("{prefix}.{k}"), v.to_string()))
            .collect()
    };
    let mut details = with(&[
        ("individual.name", name),
        ("individual.date_of_birth.month", "7"),
        ("individual.date_of_birth.day", "31"),
        ("individual.date_of_birth.year", "1980"),
        ("company_title", "CEO"),
    ]);
    for prong in prongs {
        details.push((format!("{prefix}.prongs"), (*prong).to_owned()));
    }
    [
        details,
        with(&[
            ("individual.address.line1", "1 Home Rd"),
            ("individual.address.city", "Springfield"),
            ("individual.address.state", "IL"),
            ("individual.address.zip", "62701"),
        ]),
        with(&[
            ("individual.identification.method", "social_security_number"),
            ("individual.identification.number", ssn),
        ]),
    ]
}

/// Every page of a business's journey up to the check of answers, with a
/// complete corporation's answers (two owners: Grace Hopper, who controls
/// it, and Alan Turing, who owns 25%).
pub fn business_journey() -> Vec<(String, Vec<(String, String)>)> {
    let mut steps = vec![
        ("structure".to_owned(), pairs(&[("structure", "corporation")])),
        (
            "business".to_owned(),
            pairs(&[
                ("corporation.name", "Acme Widgets LLC"),
                ("corporation.legal_identifier.value", "12-3456789"),
                ("corporation.incorporation_state", "DE"),
                ("corporation.industry_code", "332510"),
                ("corporation.website", "acme.example.com"),
                ("corporation.email", "ops@acme.example.com"),
            ]),
        ),
        (
            "business-address".to_owned(),
            pairs(&[
                ("corporation.address.line1", "100 Industrial Way"),
                ("corporation.address.line2", "Suite 4"),
                ("corporation.address.city", "Wilmington"),
                ("corporation.address.state", "DE"),
                ("corporation.address.zip", "19801"),
            ]),
        ),
    ];
    let owners = [
        (OWNER0, "Grace Hopper", "321-54-9876", "control"),
        (OWNER1, "Alan Turing", "234-56-7891", "ownership"),
    ];
    for (i, (prefix, name, ssn, prong)) in owners.iter().enumerate() {
        let [details, address, id] = owner_pages(prefix, name, ssn, &[prong]);
        let n = i + 1;
        steps.push((format!("owner-{n}-details"), details));
        steps.push((format!("owner-{n}-address"), address));
        steps.push((format!("owner-{n}-id"), id));
        let another = if i == 0 { "yes" } else { "no" };
        steps.push(("owners".to_owned(), pairs(&[("add_another", another)])));
    }
    steps
}

/// Posts one page of the journey with the CSRF token; a saved page answers
/// `303 See Other` to the next one.
pub async fn post_step(
    browser: &Browser,
    session_url: &str,
    step: &str,
    csrf: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let mut form = vec![("csrf_token".to_owned(), csrf.to_owned())];
    form.extend_from_slice(fields);
    browser.post(&step_url(session_url, step), &form).await
}

/// Answers every page of a business's journey up to the check of answers
/// and returns the browser's CSRF token.
pub async fn fill_business_journey(browser: &Browser, session_url: &str) -> String {
    let (status, html) = browser.get(session_url).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let csrf = csrf_token(&html);
    for (step, fields) in business_journey() {
        let response = post_step(browser, session_url, &step, &csrf, &fields).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{step}: {}",
            response.text().await.unwrap()
        );
    }
    csrf
}

/// The declaration, confirmed.
pub fn declaration(csrf: &str) -> Vec<(String, String)> {
    pairs(&[("csrf_token", csrf), ("attest", "true")])
}

/// Completes a business's journey: its answer is the redirect to the platform.
pub async fn complete_business_journey(browser: &Browser, session_url: &str) -> reqwest::Response {
    let csrf = fill_business_journey(browser, session_url).await;
    browser
        .post(&step_url(session_url, "declaration"), &declaration(&csrf))
        .await
}
