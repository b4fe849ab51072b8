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
const OWNER1: &str = "corporation.beneficial_owners.1";

fn owner(prefix: &str, name: &str, ssn: &str, prongs: &[&str]) -> Vec<(String, String)> {
    let mut fields = pairs(&[
        ("individual.name", name),
        ("individual.date_of_birth", "07/31/1980"),
        ("company_title", "CEO"),
        ("individual.address.line1", "1 Home Rd"),
        ("individual.address.city", "Springfield"),
        ("individual.address.state", "IL"),
        ("individual.address.zip", "62701"),
        ("individual.identification.method", "social_security_number"),
        ("individual.identification.number", ssn),
    ]);
    for prong in prongs {
        fields.push(("prongs".to_owned(), (*prong).to_owned()));
    }
    fields.into_iter().map(|(k, v)| (format!("{prefix}.{k}"), v)).collect()
}

pub fn valid_corporation(csrf: &str) -> Vec<(String, String)> {
    let mut form = pairs(&[
        ("csrf_token", csrf),
        ("structure", "corporation"),
        ("owner_count", "2"),
        ("corporation.name", "Acme Widgets LLC"),
        ("corporation.legal_identifier.value", "12-3456789"),
        ("corporation.incorporation_state", "DE"),
        ("corporation.industry_code", "332510"),
        ("corporation.website", "acme.example.com"),
        ("corporation.email", "ops@acme.example.com"),
        ("corporation.address.line1", "100 Industrial Way"),
        ("corporation.address.line2", "Suite 4"),
        ("corporation.address.city", "Wilmington"),
        ("corporation.address.state", "DE"),
        ("corporation.address.zip", "19801"),
        ("attest", "true"),
        ("action", "submit"),
    ]);
    form.extend(owner(OWNER0, "Grace Hopper", "321-54-9876", &["control"]));
    form.extend(owner(OWNER1, "Alan Turing", "234-56-7891", &["ownership"]));
    form
}
