//! Drives whole customer journeys against a running service: the platform
//! creates a session, the customer opens the form (getting its cookie and
//! CSRF token), answers its pages for a corporation with two owners (each
//! saved to the draft, 303 to the next), and submits the declaration (303
//! back to the platform). Prints one JSON line: journeys per second, the
//! submit's latency percentiles, and how many journeys failed.
//!
//! Settings by environment: `JOURNEY_BASE` (the service's URL), `JOURNEY_KEY`,
//! `JOURNEY_PROGRAM`, `JOURNEY_CONCURRENCY` (default 16), `JOURNEY_SECONDS`
//! (default 10).

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use serde_json::{Value, json};

struct Config {
    base: String,
    key: String,
    program: String,
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn csrf_token(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// One owner's three pages (details, home address, ID), then the owners
/// list's "add another?" answer.
fn owner_pages(index: usize, name: &str, ssn: &str, prong: &str, another: &str) -> Vec<Page> {
    let prefix = format!("corporation.beneficial_owners.{index}");
    let with = |fields: &[(&str, &str)]| -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(k, v)| (format!("{prefix}.{k}"), (*v).to_owned()))
            .collect()
    };
    let n = index + 1;
    vec![
        (
            format!("owner-{n}-details"),
            with(&[
                ("individual.name", name),
                ("individual.date_of_birth.month", "7"),
                ("individual.date_of_birth.day", "31"),
                ("individual.date_of_birth.year", "1980"),
                ("company_title", "CEO"),
                ("prongs", prong),
            ]),
        ),
        (
            format!("owner-{n}-address"),
            with(&[
                ("individual.address.line1", "1 Home Rd"),
                ("individual.address.city", "Springfield"),
                ("individual.address.state", "IL"),
                ("individual.address.zip", "62701"),
            ]),
        ),
        (
            format!("owner-{n}-id"),
            with(&[
                ("individual.identification.method", "social_security_number"),
                ("individual.identification.number", ssn),
            ]),
        ),
        ("owners".to_owned(), pairs(&[("add_another", another)])),
    ]
}

/// A page of the journey (its step) and its answers.
type Page = (String, Vec<(String, String)>);

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A corporation with two owners, page by page, up to the declaration.
fn corporation() -> Vec<Page> {
    let mut pages = vec![
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
                ("corporation.address.city", "Wilmington"),
                ("corporation.address.state", "DE"),
                ("corporation.address.zip", "19801"),
            ]),
        ),
    ];
    pages.extend(owner_pages(0, "Grace Hopper", "321-54-9876", "control", "yes"));
    pages.extend(owner_pages(1, "Alan Turing", "234-56-7891", "ownership", "no"));
    pages
}

/// One journey; the submit's duration when it ended with the 303.
async fn journey(config: &Config, api: &reqwest::Client) -> Result<Duration, String> {
    let session: Value = api
        .post(format!("{}/entity_onboarding_sessions", config.base))
        .bearer_auth(&config.key)
        .json(&json!({ "program_id": config.program, "redirect_url": "https://platform.example.com/done" }))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let url = session["session_url"].as_str().ok_or("no session_url")?.to_owned();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let page = browser
        .get(&url)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let csrf = csrf_token(&page).ok_or("no CSRF token on the form")?;
    let post = |step: &str, fields: Vec<(String, String)>| {
        let mut form = vec![("csrf_token".to_owned(), csrf.clone())];
        form.extend(fields);
        browser.post(format!("{url}&step={step}")).form(&form).send()
    };
    for (step, fields) in corporation() {
        let response = post(&step, fields).await.map_err(|e| e.to_string())?;
        if response.status().as_u16() != 303 {
            return Err(format!("page {step} answered {}", response.status()));
        }
    }
    let started = Instant::now();
    let response = post("declaration", pairs(&[("attest", "true")]))
        .await
        .map_err(|e| e.to_string())?;
    let took = started.elapsed();
    match response.headers().get("location").and_then(|l| l.to_str().ok()) {
        Some(location)
            if response.status().as_u16() == 303 && location.starts_with("https://platform.example.com/") =>
        {
            Ok(took)
        }
        _ => Err(format!("submit answered {}", response.status())),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let config = Arc::new(Config {
        base: env("JOURNEY_BASE", "http://127.0.0.1:8080"),
        key: env("JOURNEY_KEY", ""),
        program: env("JOURNEY_PROGRAM", ""),
    });
    let concurrency: usize = env("JOURNEY_CONCURRENCY", "16").parse().unwrap_or(16);
    let seconds: u64 = env("JOURNEY_SECONDS", "10").parse().unwrap_or(10);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let failures = Arc::new(AtomicU64::new(0));
    let api = reqwest::Client::new();
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (config, api, failures) = (config.clone(), api.clone(), failures.clone());
            tokio::spawn(async move {
                let mut submits = Vec::new();
                while Instant::now() < deadline {
                    match journey(&config, &api).await {
                        Ok(took) => submits.push(took),
                        Err(error) => {
                            if failures.fetch_add(1, Ordering::Relaxed) == 0 {
                                eprintln!("journey failed: {error}");
                            }
                        }
                    }
                }
                submits
            })
        })
        .collect();
    let mut submits = Vec::new();
    for worker in workers {
        submits.extend(worker.await.unwrap_or_default());
    }
    let elapsed = started.elapsed().as_secs_f64();
    submits.sort();
    println!(
        "{}",
        json!({
            "journeys": submits.len(),
            "journeys_per_second": submits.len() as f64 / elapsed,
            "submit_p50_ms": percentile(&submits, 50.0),
            "submit_p99_ms": percentile(&submits, 99.0),
            "failures": failures.load(Ordering::Relaxed),
        })
    );
}
