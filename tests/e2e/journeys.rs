use serde_json::{Value, json};

use crate::{
    browser::{Browser, Options, Tools},
    common::{TestApp, spawn_app},
    receiver::Receiver,
};

const WIDE: Options = Options {
    width: 1280,
    height: 900,
    javascript: true,
};
const PHONE: Options = Options {
    width: 360,
    height: 740,
    javascript: true,
};
/// The narrowest phones in use.
const NARROW: Options = Options {
    width: 320,
    height: 640,
    javascript: true,
};

async fn session_for(app: &TestApp, receiver: &Receiver) -> Value {
    app.create_session_with(json!({ "program_id": app.program_id, "redirect_url": receiver.redirect_url() }))
        .await
}

fn url(session: &Value) -> String {
    session["session_url"].as_str().unwrap().to_owned()
}

/// Clicks Continue and waits for the next page's heading.
async fn next(browser: &Browser, heading: &str) {
    browser.click_button("Continue").await;
    browser.wait_for_heading(heading).await;
}

/// Screenshots, checks the width and audits the page the browser is on.
async fn look(browser: &Browser, state: &str) {
    let (scroll, inner) = browser.fits_width().await;
    assert!(scroll <= inner, "{state} scrolls sideways: {scroll} > {inner}");
    browser.screenshot(state).await;
    browser.audit(state).await;
}

async fn choose(browser: &Browser, option: &str) {
    browser.tick(None, option).await;
}

async fn fill_business(browser: &Browser, ein: &str) {
    browser.fill(None, "Legal business name", "Acme Widgets LLC").await;
    browser.fill(None, "Employer Identification Number (EIN)", ein).await;
    browser.choose(None, "State of incorporation", "Delaware").await;
    browser.fill(None, "Industry (NAICS code)", "332510").await;
    browser.fill(None, "Website", "acme.example.com").await;
    browser.fill(None, "Business email", "ops@acme.example.com").await;
}

async fn fill_business_address(browser: &Browser) {
    browser.fill(None, "Street address", "100 Industrial Way").await;
    browser.fill(None, "Apartment, suite or unit", "Suite 4").await;
    browser.fill(None, "City", "Wilmington").await;
    browser.choose(None, "State", "Delaware").await;
    browser.fill(None, "ZIP code", "19801").await;
}

struct Person<'a> {
    name: &'a str,
    dob: &'a str,
    ssn: &'a str,
    title: &'a str,
    role: &'a str,
}

const GRACE: Person = Person {
    name: "Grace Hopper",
    dob: "12/09/1966",
    ssn: "321-54-9876",
    title: "CEO",
    role: "Manages or controls the business",
};
const ALAN: Person = Person {
    name: "Alan Turing",
    dob: "06/23/1972",
    ssn: "234-56-7891",
    title: "Founder",
    role: "Owns 25% or more",
};

/// Types a date (`MM/DD/YYYY`) into the page's month, day and year inputs.
async fn fill_date(browser: &Browser, date: &str) {
    let parts: Vec<&str> = date.split('/').collect();
    for (label, value) in ["Month", "Day", "Year"].into_iter().zip(parts) {
        browser.fill(None, label, value).await;
    }
}

/// An owner's three pages, from their first; `shots` names the screenshots
/// (and audits) of each page, if wanted.
async fn add_owner(browser: &Browser, person: &Person<'_>, shots: Option<&str>) {
    browser.fill(None, "Full legal name", person.name).await;
    fill_date(browser, person.dob).await;
    browser.fill(None, "Job title", person.title).await;
    browser.tick(None, person.role).await;
    if let Some(prefix) = shots {
        look(browser, &format!("{prefix}-details")).await;
    }
    next(browser, "Home address").await;
    browser.fill(None, "Street address", "1 Home Road").await;
    browser.fill(None, "City", "Springfield").await;
    browser.choose(None, "State", "Illinois").await;
    browser.fill(None, "ZIP code", "62701").await;
    if let Some(prefix) = shots {
        look(browser, &format!("{prefix}-address")).await;
    }
    next(browser, "Identification").await;
    browser.choose(None, "Type of ID", "Social Security number (SSN)").await;
    browser.fill(None, "ID number", person.ssn).await;
    if let Some(prefix) = shots {
        look(browser, &format!("{prefix}-id")).await;
    }
    next(browser, "You have added").await;
}

/// The whole business journey with two owners, screenshotting and auditing
/// every page, up to the declaration.
async fn business_journey(browser: &Browser) {
    browser.wait_for_heading("What are you onboarding?").await;
    look(browser, "01-structure").await;
    choose(browser, "A business").await;
    next(browser, "Business details").await;
    look(browser, "02-business-empty").await;
    fill_business(browser, "12-3456789").await;
    next(browser, "Business address").await;
    fill_business_address(browser).await;
    look(browser, "03-business-address").await;
    next(browser, "Beneficial owner 1").await;
    add_owner(browser, &GRACE, Some("04-owner-1")).await;
    look(browser, "05-owners-one").await;
    browser.tick(None, "Yes").await;
    next(browser, "Beneficial owner 2").await;
    add_owner(browser, &ALAN, None).await;
    assert!(browser.page_text().await.contains("You have added 2 beneficial owners"));
    look(browser, "06-owners-two").await;
    browser.tick(None, "No").await;
    next(browser, "Check your answers").await;
    let text = browser.page_text().await;
    assert!(
        text.contains("SSN ending in 9876") && !text.contains("321-54-9876"),
        "{text}"
    );
    look(browser, "07-check").await;
}

/// Checks that the browser landed on the platform with the right IDs and
/// returns the Entity the API then shows.
async fn assert_back_on_platform(browser: &Browser, app: &TestApp, receiver: &Receiver, session: &Value) -> Value {
    browser.wait_for_heading("Welcome back to the platform").await;
    let landed = browser.client.current_url().await.unwrap();
    let params: std::collections::HashMap<String, String> = landed.query_pairs().into_owned().collect();
    let session_id = session["id"].as_str().unwrap();
    assert_eq!(params["ref"], "e2e", "the platform's own query parameter survives");
    assert_eq!(params["entity_onboarding_session_id"], session_id);
    assert_eq!(receiver.hits().len(), 1);
    let fetched: Value = app
        .get(&format!("/entity_onboarding_sessions/{session_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["status"], "expired");
    assert_eq!(fetched["entity_id"].as_str(), Some(params["entity_id"].as_str()));
    app.get(&format!("/entities/{}", params["entity_id"]))
        .await
        .json()
        .await
        .unwrap()
}

pub async fn a_corporation_with_two_owners_completes_onboarding(tools: Tools) {
    let browser = Browser::start(tools, "corporation", WIDE).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    browser.goto(&url(&session)).await;
    business_journey(&browser).await;

    // A Change link goes to its page and comes back to the summary.
    browser
        .client
        .find(fantoccini::Locator::XPath(
            "//dt[normalize-space()='Business email']/following-sibling::dd/a",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for_heading("Business details").await;
    assert_eq!(browser.value(None, "Legal business name").await, "Acme Widgets LLC");
    browser.fill(None, "Business email", "hello@acme.example.com").await;
    next(&browser, "Check your answers").await;
    assert!(browser.page_text().await.contains("hello@acme.example.com"));

    browser.click_link("Continue").await;
    browser.wait_for_heading("Declaration").await;
    look(&browser, "08-declaration").await;
    browser.tick(None, "I confirm that the information").await;
    browser.click_button("Submit").await;

    let entity = assert_back_on_platform(&browser, &app, &receiver, &session).await;
    browser.screenshot("09-back-on-platform").await;
    assert_eq!(entity["structure"], "corporation");
    let corporation = &entity["corporation"];
    assert_eq!(corporation["name"], "Acme Widgets LLC");
    assert_eq!(corporation["email"], "hello@acme.example.com");
    assert_eq!(corporation["legal_identifier"]["value"], "123456789");
    assert_eq!(corporation["incorporation_state"], "DE");
    assert_eq!(corporation["address"]["zip"], "19801");
    let owners = corporation["beneficial_owners"].as_array().unwrap();
    assert_eq!(owners.len(), 2);
    assert_eq!(owners[0]["individual"]["name"], "Grace Hopper");
    assert_eq!(owners[0]["individual"]["date_of_birth"], "1966-12-09");
    assert_eq!(owners[0]["prongs"], json!(["control"]));
    assert_eq!(
        owners[0]["individual"]["identification"],
        json!({"method": "social_security_number", "number_last4": "9876"})
    );
    assert_eq!(owners[1]["individual"]["name"], "Alan Turing");
    assert_eq!(owners[1]["prongs"], json!(["ownership"]));
    assert_eq!(owners[1]["individual"]["identification"]["number_last4"], "7891");
    assert!(!entity.to_string().contains("321549876"), "tax IDs as last 4 only");

    // The used link now shows the right page.
    browser.goto(&url(&session)).await;
    browser.wait_for_heading("This link is no longer valid").await;
    look(&browser, "10-used-link").await;
    browser.close().await;
}

pub async fn an_individual_completes_onboarding(tools: Tools) {
    let browser = Browser::start(tools, "individual", WIDE).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    browser.goto(&url(&session)).await;
    browser.wait_for_heading("What are you onboarding?").await;
    choose(&browser, "Myself, as an individual").await;
    next(&browser, "Your details").await;
    browser.fill(None, "Full legal name", "Ada Lovelace").await;
    fill_date(&browser, "12/10/1985").await;
    look(&browser, "1-person").await;
    next(&browser, "Your home address").await;
    browser.fill(None, "Street address", "5 Analytical St").await;
    browser.fill(None, "City", "Boston").await;
    browser.choose(None, "State", "Massachusetts").await;
    browser.fill(None, "ZIP code", "02110").await;
    look(&browser, "2-person-address").await;
    // Enter in a field saves the page, as a keyboard user expects.
    browser.press_enter_in(None, "ZIP code").await;
    browser.wait_for_heading("Your identification").await;
    let country = browser.field(None, "Issuing country").await;
    assert!(
        !country.is_displayed().await.unwrap(),
        "no issuing country before a passport is chosen"
    );
    browser.choose(None, "Type of ID", "Passport").await;
    assert!(country.is_displayed().await.unwrap(), "a passport's issuing country");
    browser.choose(None, "Issuing country", "Mexico").await;
    look(&browser, "3-person-passport").await;
    browser
        .choose(None, "Type of ID", "Individual Taxpayer Identification Number (ITIN)")
        .await;
    assert!(!country.is_displayed().await.unwrap(), "an ITIN has none");
    browser.fill(None, "ID number", "912-70-1234").await;
    look(&browser, "3-person-id").await;
    next(&browser, "Check your answers").await;
    assert!(browser.page_text().await.contains("ITIN ending in 1234"));
    look(&browser, "4-check").await;
    browser.click_link("Continue").await;
    browser.wait_for_heading("Declaration").await;
    browser.tick(None, "I confirm that the information").await;
    browser.click_button("Submit").await;
    let entity = assert_back_on_platform(&browser, &app, &receiver, &session).await;
    assert_eq!(entity["structure"], "natural_person");
    assert_eq!(entity["natural_person"]["name"], "Ada Lovelace");
    assert_eq!(entity["natural_person"]["date_of_birth"], "1985-12-10");
    assert_eq!(
        entity["natural_person"]["identification"],
        json!({"method": "individual_taxpayer_identification_number", "number_last4": "1234"})
    );
    browser.close().await;
}

pub async fn mistakes_are_explained_and_can_be_corrected(tools: Tools) {
    let browser = Browser::start(tools, "mistakes", WIDE).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    browser.goto(&url(&session)).await;
    browser.wait_for_heading("What are you onboarding?").await;
    choose(&browser, "A business").await;
    next(&browser, "Business details").await;
    fill_business(&browser, "12-34567").await;
    browser.fill(None, "Legal business name", "").await;
    // The same page comes back, so its heading says nothing: wait for the
    // summary itself (the page before has none).
    browser.click_button("Continue").await;
    let summary = browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css("[data-testid=error-summary]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(summary.contains("There is a problem"), "{summary}");
    assert!(summary.contains("Enter the business's legal name"), "{summary}");
    let ein = browser.field(None, "Employer Identification Number (EIN)").await;
    assert_eq!(ein.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
    assert_eq!(
        ein.prop("value").await.unwrap().as_deref(),
        Some("12-34567"),
        "typed values are kept"
    );
    look(&browser, "1-errors").await;
    // The summary's link takes the customer to the field, label in view.
    let ein_id = ein.attr("id").await.unwrap().expect("the EIN input has an id");
    let link = browser
        .client
        .find(fantoccini::Locator::XPath(
            "//*[@data-testid='error-summary']//a[normalize-space()='EIN must be 9 digits, like 12-3456789']",
        ))
        .await
        .unwrap_or_else(|_| panic!("no EIN link in the error summary: {summary}"));
    assert_eq!(link.attr("href").await.unwrap(), Some(format!("#{ein_id}")));
    link.click().await.unwrap();
    let landed = browser.client.current_url().await.unwrap();
    assert_eq!(landed.fragment(), Some(ein_id.as_str()));
    let focused = browser
        .client
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(focused, json!(ein_id), "focus is on the EIN input");
    let label_top = browser
        .client
        .execute(
            &format!("return document.querySelector('label[for={ein_id}]').getBoundingClientRect().top"),
            vec![],
        )
        .await
        .unwrap();
    assert!(label_top.as_f64().unwrap() >= 0.0, "the label is in view: {label_top}");

    browser.fill(None, "Legal business name", "Acme Widgets LLC").await;
    browser
        .fill(None, "Employer Identification Number (EIN)", "12-3456789")
        .await;
    next(&browser, "Business address").await;
    browser.close().await;
}

pub async fn owners_are_added_and_removed_with_javascript_disabled(tools: Tools) {
    let options = Options {
        javascript: false,
        ..WIDE
    };
    let browser = Browser::start(tools, "no-javascript", options).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    browser.goto(&url(&session)).await;
    browser.wait_for_heading("What are you onboarding?").await;
    choose(&browser, "A business").await;
    next(&browser, "Business details").await;
    fill_business(&browser, "12-3456789").await;
    next(&browser, "Business address").await;
    fill_business_address(&browser).await;
    next(&browser, "Beneficial owner 1").await;
    add_owner(&browser, &ALAN, None).await;
    browser.tick(None, "Yes").await;
    next(&browser, "Beneficial owner 2").await;
    add_owner(&browser, &GRACE, None).await;
    browser.screenshot("1-two-owners").await;
    browser.click_button("Remove Alan Turing").await;
    browser.wait_for_heading("You have added 1 beneficial owner").await;
    let text = browser.page_text().await;
    assert!(text.contains("Grace Hopper") && !text.contains("Alan Turing"), "{text}");
    browser.screenshot("2-owner-removed").await;
    browser.tick(None, "No").await;
    next(&browser, "Check your answers").await;
    browser.click_link("Continue").await;
    browser.wait_for_heading("Declaration").await;
    browser.tick(None, "I confirm that the information").await;
    browser.click_button("Submit").await;
    let entity = assert_back_on_platform(&browser, &app, &receiver, &session).await;
    let names: Vec<&str> = entity["corporation"]["beneficial_owners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["individual"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Grace Hopper"]);
    browser.close().await;
}

pub async fn a_phone_sized_window_completes_the_journey_without_horizontal_scrolling(tools: Tools) {
    let options = Options {
        width: 360,
        height: 740,
        ..WIDE
    };
    let browser = Browser::start(tools, "phone", options).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    browser.goto(&url(&session)).await;
    let (_, inner) = browser.fits_width().await;
    assert!(inner <= 400, "the window is phone-sized ({inner}px)");
    business_journey(&browser).await;
    browser.click_link("Continue").await;
    browser.wait_for_heading("Declaration").await;
    browser.click_button("Submit").await;
    // The same page comes back: wait for its error summary, not its heading.
    browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css("[data-testid=error-summary]"))
        .await
        .unwrap();
    look(&browser, "08-declaration-error").await;
    browser.tick(None, "I confirm that the information").await;
    browser.click_button("Submit").await;
    assert_back_on_platform(&browser, &app, &receiver, &session).await;
    browser.close().await;
}

/// A customer who closes the tab resumes on another device where they left off.
pub async fn the_journey_resumes_in_another_browser(tools: Tools) {
    let browser = Browser::start(tools, "resume", WIDE).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    let first = crate::common::form::Browser::new();
    let csrf = {
        let (_, html) = first.get(&url(&session)).await;
        crate::common::form::csrf_token(&html)
    };
    for (step, fields) in crate::common::form::business_journey().into_iter().take(4) {
        let response = crate::common::form::post_step(&first, &url(&session), &step, &csrf, &fields).await;
        assert_eq!(response.status(), 303, "{step}");
    }
    browser.goto(&url(&session)).await;
    browser.wait_for_heading("Home address").await;
    assert!(browser.page_text().await.contains("Grace Hopper"));
    look(&browser, "1-resumed").await;
    browser.client.back().await.unwrap_or(());
    browser.goto(&url(&session)).await;
    browser.wait_for_heading("Home address").await;
    browser.click_link("Back").await;
    browser.wait_for_heading("Beneficial owner 1").await;
    assert_eq!(browser.value(None, "Full legal name").await, "Grace Hopper");
    browser.close().await;
}

/// Dead ends are not: an ended link leads back to the platform, a link that
/// expires while a page is open says so, a refused form offers to reload.
async fn dead_links(tools: Tools, journey: &str, options: Options) {
    let browser = Browser::start(tools, journey, options).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let expired = session_for(&app, &receiver).await;
    app.post_action(&format!(
        "/entity_onboarding_sessions/{}/expire",
        expired["id"].as_str().unwrap()
    ))
    .await;
    browser.goto(&url(&expired)).await;
    browser.wait_for_heading("This link is no longer valid").await;
    let text = browser.page_text().await;
    assert!(text.contains("go back to Default program to get a new link"), "{text}");
    assert!(
        text.starts_with("Skip to content") || text.contains("Default program"),
        "{text}"
    );
    look(&browser, "1-expired").await;
    browser.click_link("Return to Default program").await;
    browser.wait_for_heading("Welcome back to the platform").await;
    let landed = browser.client.current_url().await.unwrap();
    let params: std::collections::HashMap<String, String> = landed.query_pairs().into_owned().collect();
    assert_eq!(params["entity_onboarding_session_id"], expired["id"].as_str().unwrap());
    assert!(!params.contains_key("entity_id"), "not completed: {landed}");

    // The form needs no cookie: one lost (another window, a cleared
    // browser) changes nothing. A page whose CSRF token is not its
    // session's (a page tampered with) is refused, and loads again with
    // one click.
    let open = session_for(&app, &receiver).await;
    browser.goto(&url(&open)).await;
    browser.wait_for_heading("What are you onboarding?").await;
    browser.client.delete_all_cookies().await.unwrap();
    choose(&browser, "A business").await;
    next(&browser, "Business details").await;
    browser.click_link("Back").await;
    browser.wait_for_heading("What are you onboarding?").await;
    browser
        .client
        .execute(
            "document.querySelector('input[name=csrf_token]').value = 'forged'; return true;",
            vec![],
        )
        .await
        .unwrap();
    browser.click_button("Continue").await;
    browser.wait_for_heading("Please reload the page and try again").await;
    look(&browser, "2-refused").await;
    browser.click_link("Reload the form").await;
    browser.wait_for_heading("What are you onboarding?").await;
    choose(&browser, "A business").await;
    next(&browser, "Business details").await;

    // The link expires while the customer types.
    browser.fill(None, "Legal business name", "Acme Widgets LLC").await;
    app.clock.advance(chrono::Duration::hours(7));
    browser.click_button("Continue").await;
    browser
        .wait_for_heading("Your link expired while you were filling in the form")
        .await;
    look(&browser, "3-expired-while-typing").await;

    browser
        .goto(&format!("{}/onboarding/sessions?id=doesnotexist", app.address))
        .await;
    browser.wait_for_heading("We couldn't find this page").await;
    look(&browser, "4-unknown").await;
    assert_eq!(receiver.hits().len(), 1, "only the button went back");
    browser.close().await;
}

pub async fn expired_used_and_unknown_links_show_the_right_pages(tools: Tools) {
    dead_links(tools, "dead-links", WIDE).await;
}

pub async fn dead_ends_lead_on_on_a_phone(tools: Tools) {
    dead_links(tools, "dead-links-phone", PHONE).await;
}

/// An Entity made with its EIN flagged and no owners: the customer gives
/// the EIN alone (not the state of incorporation, nothing optional), adds
/// the missing owner, checks, confirms; a second session then finds
/// everything in order, with one button back to the platform.
async fn existing_entity_journey(tools: Tools, journey: &str, options: Options) {
    let browser = Browser::start(tools, journey, options).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let entity: Value = app
        .post(
            "/entities",
            &json!({
                "structure": "corporation",
                "corporation": {
                    "name": "Half Done Inc",
                    "legal_identifier": { "value": "12-3456789" },
                    "address": { "line1": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US" },
                    "beneficial_owners": []
                }
            }),
        )
        .await
        .json()
        .await
        .unwrap();
    let entity_id = entity["id"].as_str().unwrap();
    let response = app
        .post(
            &format!("/simulations/entities/{entity_id}/update_validation"),
            &json!({ "issues": [{ "category": "entity_tax_identifier" }] }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let session = app
        .create_session_with(
            json!({ "program_id": app.program_id, "redirect_url": receiver.redirect_url(), "entity_id": entity_id }),
        )
        .await;

    browser.goto(&url(&session)).await;
    browser.wait_for_heading("Finish onboarding for Half Done Inc").await;
    let tasks = browser
        .client
        .find(fantoccini::Locator::Css("[data-testid=tasks]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        tasks.contains("tax ID") && tasks.contains("beneficial owners"),
        "{tasks}"
    );
    look(&browser, "1-tasks").await;
    browser.click_link("Continue").await;
    browser.wait_for_heading("Business details").await;
    let text = browser.page_text().await;
    assert!(text.contains("ends in 6789"), "{text}");
    assert!(
        !text.contains("State of incorporation") && !text.contains("Legal business name") && !text.contains("Website"),
        "only the EIN is asked: {text}"
    );
    assert_eq!(
        browser.value(None, "Employer Identification Number (EIN)").await,
        "",
        "tax IDs are asked again"
    );
    look(&browser, "2-ein").await;
    browser
        .fill(None, "Employer Identification Number (EIN)", "98-7654321")
        .await;
    next(&browser, "Beneficial owner 1").await;
    add_owner(&browser, &GRACE, Some("3-owner")).await;
    look(&browser, "4-owners").await;
    browser.tick(None, "No").await;
    next(&browser, "Check your answers").await;
    let text = browser.page_text().await;
    assert!(
        text.contains("98-7654321") && text.contains("SSN ending in 9876"),
        "{text}"
    );
    look(&browser, "5-check").await;
    browser.click_link("Continue").await;
    browser.wait_for_heading("Declaration").await;
    look(&browser, "6-declaration").await;
    browser.tick(None, "I confirm that the information").await;
    browser.click_button("Submit").await;

    let updated = assert_back_on_platform(&browser, &app, &receiver, &session).await;
    assert_eq!(updated["id"], entity_id, "the same Entity, updated in place");
    assert_eq!(updated["corporation"]["legal_identifier"]["value"], "987654321");
    assert_eq!(updated["corporation"]["incorporation_state"], Value::Null);
    assert_eq!(
        updated["corporation"]["beneficial_owners"][0]["individual"]["name"],
        "Grace Hopper"
    );
    assert_eq!(updated["validation"]["issues"], json!([]));
    assert_eq!(updated["onboarding_tasks"], json!([]));
    let all: Value = app.get("/entities").await.json().await.unwrap();
    assert_eq!(all["data"].as_array().unwrap().len(), 1);

    // Nothing left: one button, back to the platform.
    let again = app
        .create_session_with(
            json!({ "program_id": app.program_id, "redirect_url": receiver.redirect_url(), "entity_id": entity_id }),
        )
        .await;
    browser.goto(&url(&again)).await;
    browser
        .wait_for_heading("Everything is in order for Half Done Inc")
        .await;
    look(&browser, "7-in-order").await;
    browser.click_button("Return to Default program").await;
    browser.wait_for_heading("Welcome back to the platform").await;
    let landed = browser.client.current_url().await.unwrap();
    assert!(landed.as_str().contains(&format!("entity_id={entity_id}")), "{landed}");
    browser.close().await;
}

pub async fn an_existing_entity_fixes_its_flagged_tax_id_and_adds_its_missing_owner(tools: Tools) {
    existing_entity_journey(tools, "existing-entity", WIDE).await;
}

pub async fn an_existing_entity_completes_its_tasks_on_a_phone(tools: Tools) {
    existing_entity_journey(tools, "existing-entity-phone", PHONE).await;
}

pub async fn an_existing_entity_completes_its_tasks_320_px_wide(tools: Tools) {
    existing_entity_journey(tools, "existing-entity-320", NARROW).await;
}

pub async fn a_320_px_wide_window_completes_the_business_journey(tools: Tools) {
    let browser = Browser::start(tools, "narrow", NARROW).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    browser.goto(&url(&session)).await;
    let (_, inner) = browser.fits_width().await;
    assert_eq!(inner, 320, "the window is 320px wide");
    business_journey(&browser).await;
    browser.click_link("Continue").await;
    browser.wait_for_heading("Declaration").await;
    browser.click_button("Submit").await;
    // The same page comes back: wait for its error summary, not its heading.
    browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css("[data-testid=error-summary]"))
        .await
        .unwrap();
    look(&browser, "08-declaration-error").await;
    browser.tick(None, "I confirm that the information").await;
    browser.click_button("Submit").await;
    assert_back_on_platform(&browser, &app, &receiver, &session).await;
    browser.close().await;
}

/// The whole individual journey with the keyboard alone: Tab to move, the
/// arrow keys and Space to choose, typing to fill and to pick from lists,
/// Enter to go on. Every page is audited.
pub async fn the_keyboard_alone_completes_the_journey(tools: Tools) {
    let browser = Browser::start(tools, "keyboard", WIDE).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = session_for(&app, &receiver).await;
    browser.goto(&url(&session)).await;
    browser.wait_for_heading("What are you onboarding?").await;
    browser.key_tick("Myself, as an individual").await;
    look(&browser, "1-structure").await;
    browser.key_press("Continue").await;
    browser.wait_for_heading("Your details").await;
    browser.key_in("Full legal name", "Ada Lovelace").await;
    for (label, value) in [("Month", "12"), ("Day", "10"), ("Year", "1985")] {
        browser.key_in(label, value).await;
    }
    look(&browser, "2-person").await;
    browser.key_press("Continue").await;
    browser.wait_for_heading("Your home address").await;
    browser.key_in("Street address", "5 Analytical St").await;
    browser.key_in("City", "Boston").await;
    // A focused list is chosen from by typing the start of an option.
    browser.key_in("State", "Massachusetts").await;
    browser.key_in("ZIP code", "02110").await;
    look(&browser, "3-address").await;
    browser.key_press("Continue").await;
    browser.wait_for_heading("Your identification").await;
    browser.key_in("Type of ID", "Social").await;
    browser.key_in("ID number", "123-45-6789").await;
    look(&browser, "4-id").await;
    browser.key_press("Continue").await;
    browser.wait_for_heading("Check your answers").await;
    assert!(browser.page_text().await.contains("SSN ending in 6789"));
    look(&browser, "5-check").await;
    browser.key_press("Continue").await;
    browser.wait_for_heading("Declaration").await;
    browser.key_tick("I confirm that the information").await;
    look(&browser, "6-declaration").await;
    browser.key_press("Submit").await;
    let entity = assert_back_on_platform(&browser, &app, &receiver, &session).await;
    assert_eq!(entity["natural_person"]["name"], "Ada Lovelace");
    assert_eq!(entity["natural_person"]["date_of_birth"], "1985-12-10");
    assert_eq!(entity["natural_person"]["address"]["state"], "MA");
    assert_eq!(
        entity["natural_person"]["identification"],
        json!({"method": "social_security_number", "number_last4": "6789"})
    );
    browser.close().await;
}

/// A business onboarded in Spanish (the platform's `locale`), driven by the
/// Spanish labels and buttons, with a mistake corrected on the way; every
/// page state screenshotted and audited.
async fn business_journey_in_spanish(tools: Tools, journey: &str, options: Options) {
    let browser = Browser::start(tools, journey, options).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let session = app
        .create_session_with(json!({
            "program_id": app.program_id,
            "redirect_url": receiver.redirect_url(),
            "locale": "es",
        }))
        .await;
    // Branded, so that every page of the business journey is seen with the
    // program's logo and colour in Spanish too.
    brand_program(&app, &receiver, false).await;
    browser.goto(&url(&session)).await;
    let continuar = |heading: &'static str| {
        let browser = &browser;
        async move {
            browser.click_button("Continuar").await;
            browser.wait_for_heading(heading).await;
        }
    };
    browser.wait_for_heading("¿Qué va a registrar?").await;
    assert!(browser.page_text().await.contains("Paso 1 de 6"));
    assert_branded(&browser).await;
    look(&browser, "01-estructura").await;
    browser.tick(None, "Una empresa").await;
    continuar("Datos de la empresa").await;
    browser
        .fill(None, "Nombre legal de la empresa", "Acme Widgets LLC")
        .await;
    browser
        .fill(None, "EIN (Número de Identificación del Empleador)", "12-34")
        .await;
    browser.choose(None, "Estado de constitución", "Delaware").await;
    browser.fill(None, "Sector (código NAICS)", "332510").await;
    browser.fill(None, "Sitio web", "acme.example.com").await;
    browser.click_button("Continuar").await;
    browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css("[data-testid=error-summary]"))
        .await
        .unwrap();
    let text = browser.page_text().await;
    assert!(text.contains("Hay un problema"), "{text}");
    assert!(
        text.contains("El EIN debe tener 9 dígitos, por ejemplo 12-3456789"),
        "{text}"
    );
    look(&browser, "02-empresa-error").await;
    browser
        .fill(None, "EIN (Número de Identificación del Empleador)", "12-3456789")
        .await;
    continuar("Dirección de la empresa").await;
    browser.fill(None, "Dirección", "100 Industrial Way").await;
    browser.fill(None, "Apartamento, suite o unidad", "Suite 4").await;
    browser.fill(None, "Ciudad", "Wilmington").await;
    browser.choose(None, "Estado", "Delaware").await;
    browser.fill(None, "Código postal (ZIP)", "19801").await;
    look(&browser, "03-direccion-empresa").await;
    continuar("Beneficiario final 1").await;
    browser.fill(None, "Nombre legal completo", "Graciela Hernández").await;
    for (label, value) in [("Mes", "12"), ("Día", "9"), ("Año", "1966")] {
        browser.fill(None, label, value).await;
    }
    browser.fill(None, "Cargo", "Directora general").await;
    browser.tick(None, "Dirige o controla la empresa").await;
    look(&browser, "04-beneficiario").await;
    continuar("Domicilio particular").await;
    browser.fill(None, "Dirección", "1 Home Road").await;
    browser.fill(None, "Ciudad", "San Antonio").await;
    browser.choose(None, "Estado", "Texas").await;
    browser.fill(None, "Código postal (ZIP)", "78205").await;
    continuar("Identificación").await;
    browser.choose(None, "Tipo de identificación", "Pasaporte").await;
    browser.choose(None, "País emisor", "México").await;
    browser.fill(None, "Número de identificación", "G12345678").await;
    look(&browser, "05-identificacion").await;
    continuar("Agregó 1 beneficiario final").await;
    look(&browser, "06-beneficiarios").await;
    browser.tick(None, "No").await;
    continuar("Revise sus respuestas").await;
    let text = browser.page_text().await;
    assert!(text.contains("9 de diciembre de 1966"), "{text}");
    assert!(
        text.contains("Pasaporte que termina en 5678, emitido por México"),
        "{text}"
    );
    look(&browser, "07-revision").await;
    browser.click_link("Continuar").await;
    browser.wait_for_heading("Declaración").await;
    look(&browser, "08-declaracion").await;
    browser.tick(None, "Confirmo que la información").await;
    browser.click_button("Enviar").await;
    let entity = assert_back_on_platform(&browser, &app, &receiver, &session).await;
    assert_eq!(entity["corporation"]["name"], "Acme Widgets LLC");
    assert_eq!(
        entity["corporation"]["beneficial_owners"][0]["individual"]["date_of_birth"],
        "1966-12-09"
    );
    browser.close().await;
}

pub async fn a_business_completes_onboarding_in_spanish(tools: Tools) {
    business_journey_in_spanish(tools, "spanish", WIDE).await;
}

pub async fn a_business_completes_onboarding_in_spanish_on_a_phone(tools: Tools) {
    business_journey_in_spanish(tools, "spanish-phone", PHONE).await;
}

/// The words of the branded journey, in the language it runs in.
struct Words {
    locale: &'static str,
    structure: &'static str,
    individual: &'static str,
    continue_button: &'static str,
    problem: &'static str,
    details: &'static str,
    name: &'static str,
    date: [&'static str; 3],
    address: &'static str,
    street: &'static str,
    city: &'static str,
    state: &'static str,
    zip: &'static str,
    identification: &'static str,
    id_type: &'static str,
    itin: &'static str,
    id_number: &'static str,
    check: &'static str,
    declaration: &'static str,
    confirm: &'static str,
    submit: &'static str,
    gone: &'static str,
    return_to: &'static str,
}

const ENGLISH: Words = Words {
    locale: "en",
    structure: "What are you onboarding?",
    individual: "Myself, as an individual",
    continue_button: "Continue",
    problem: "There is a problem",
    details: "Your details",
    name: "Full legal name",
    date: ["Month", "Day", "Year"],
    address: "Your home address",
    street: "Street address",
    city: "City",
    state: "State",
    zip: "ZIP code",
    identification: "Your identification",
    id_type: "Type of ID",
    itin: "Individual Taxpayer Identification Number (ITIN)",
    id_number: "ID number",
    check: "Check your answers",
    declaration: "Declaration",
    confirm: "I confirm that the information",
    submit: "Submit",
    gone: "This link is no longer valid",
    return_to: "Return to Acme Payroll",
};

const SPANISH: Words = Words {
    locale: "es",
    structure: "¿Qué va a registrar?",
    individual: "A mí mismo, como persona física",
    continue_button: "Continuar",
    problem: "Hay un problema",
    details: "Sus datos",
    name: "Nombre legal completo",
    date: ["Mes", "Día", "Año"],
    address: "Su domicilio particular",
    street: "Dirección",
    city: "Ciudad",
    state: "Estado",
    zip: "Código postal (ZIP)",
    identification: "Su identificación",
    id_type: "Tipo de identificación",
    itin: "Número de Identificación Personal del Contribuyente (ITIN)",
    id_number: "Número de identificación",
    check: "Revise sus respuestas",
    declaration: "Declaración",
    confirm: "Confirmo que la información",
    submit: "Enviar",
    gone: "Este enlace ya no es válido",
    return_to: "Volver a Acme Payroll",
};

/// The program's look checked in the browser: its logo is drawn, the
/// buttons wear its accent colour, the footer has its links.
async fn assert_branded(browser: &Browser) {
    let seen = browser
        .client
        .execute(
            "const logo = document.querySelector('[data-testid=logo]');
             const button = document.querySelector('.button');
             return {
               logo: logo ? logo.naturalWidth : 0,
               accent: button ? getComputedStyle(button).backgroundColor : null,
               support: !!document.querySelector('[data-testid=support-link]'),
               privacy: !!document.querySelector('[data-testid=privacy-link]'),
             };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(seen["logo"], 120, "the logo is drawn: {seen}");
    assert_eq!(seen["accent"], "rgb(10, 125, 90)", "{seen}");
    assert_eq!(
        (seen["support"].as_bool(), seen["privacy"].as_bool()),
        (Some(true), Some(true))
    );
}

/// Brands the app's program as Acme Payroll (accent, logo, footer links),
/// framable by the receiver; `framed`: leaving the form replaces the
/// receiver's whole page.
async fn brand_program(app: &TestApp, receiver: &Receiver, framed: bool) {
    let (production, _) = app
        .api_key_for(onboarding::domain::api_key::Environment::Production, false)
        .await;
    let logo = crate::common::png::logo(120, 40, [10, 125, 90]);
    let branding = app
        .client
        .patch(app.url(&format!("/hosted_onboarding/programs/{}/branding", app.program_id)))
        .bearer_auth(&production)
        .json(&json!({
            "display_name": "Acme Payroll",
            "accent_color": "#0a7d5a",
            "logo": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &logo),
            "support_url": "https://acme.example/help",
            "privacy_url": "https://acme.example/privacy",
            "allowed_frame_ancestors": [receiver.base],
            "redirect_out_of_frame": framed,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(branding.status(), 200);
}

/// An individual onboarded with a branded program: every page state is
/// screenshotted and audited, in `words`' language. `framed`: inside the
/// platform's page, which the submission replaces (the program asks for it).
async fn branded_journey(tools: Tools, journey: &str, options: Options, words: &Words, framed: bool) {
    let browser = Browser::start(tools, journey, options).await;
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    brand_program(&app, &receiver, framed).await;
    let session = app
        .create_session_with(json!({
            "program_id": app.program_id,
            "redirect_url": receiver.redirect_url(),
            "locale": words.locale,
        }))
        .await;
    if framed {
        browser.goto(&receiver.embed_url(&url(&session))).await;
        browser.wait_for_heading("Open your account").await;
        browser.client.enter_frame(0).await.unwrap();
    } else {
        browser.goto(&url(&session)).await;
    }
    let next = |heading: &'static str| {
        let browser = &browser;
        async move {
            browser.click_button(words.continue_button).await;
            browser.wait_for_heading(heading).await;
        }
    };
    browser.wait_for_heading(words.structure).await;
    assert_branded(&browser).await;
    look(&browser, "01-structure").await;
    browser.click_button(words.continue_button).await;
    browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(fantoccini::Locator::Css("[data-testid=error-summary]"))
        .await
        .unwrap();
    assert!(browser.page_text().await.contains(words.problem));
    assert_branded(&browser).await;
    look(&browser, "02-structure-error").await;
    browser.tick(None, words.individual).await;
    next(words.details).await;
    browser.fill(None, words.name, "Ada Lovelace").await;
    for (label, value) in words.date.into_iter().zip(["12", "10", "1985"]) {
        browser.fill(None, label, value).await;
    }
    look(&browser, "03-details").await;
    next(words.address).await;
    browser.fill(None, words.street, "5 Analytical St").await;
    browser.fill(None, words.city, "Boston").await;
    browser.choose(None, words.state, "Massachusetts").await;
    browser.fill(None, words.zip, "02110").await;
    look(&browser, "04-address").await;
    next(words.identification).await;
    browser.choose(None, words.id_type, words.itin).await;
    browser.fill(None, words.id_number, "912-70-1234").await;
    look(&browser, "05-identification").await;
    next(words.check).await;
    look(&browser, "06-check").await;
    browser.click_link(words.continue_button).await;
    browser.wait_for_heading(words.declaration).await;
    assert_branded(&browser).await;
    look(&browser, "07-declaration").await;
    browser.tick(None, words.confirm).await;
    browser.click_button(words.submit).await;
    if framed {
        // The declaration was sent in the whole window: the platform's
        // page is replaced, not the frame's.
        let window = browser.client.window().await.unwrap();
        browser.client.switch_to_window(window).await.unwrap();
    }
    let entity = assert_back_on_platform(&browser, &app, &receiver, &session).await;
    assert_eq!(entity["natural_person"]["name"], "Ada Lovelace");
    // The used link's page is the program's too.
    browser.goto(&url(&session)).await;
    browser.wait_for_heading(words.gone).await;
    assert!(browser.page_text().await.contains(words.return_to));
    assert_branded(&browser).await;
    look(&browser, "08-used").await;
    browser.close().await;
}

pub async fn a_branded_program_framed_by_its_platform_completes_onboarding(tools: Tools) {
    branded_journey(tools, "branded-framed", WIDE, &ENGLISH, true).await;
}

pub async fn a_branded_program_in_spanish_on_a_phone(tools: Tools) {
    branded_journey(tools, "branded-es-phone", PHONE, &SPANISH, false).await;
}

pub async fn a_branded_program_in_english_on_a_phone(tools: Tools) {
    branded_journey(tools, "branded-phone", PHONE, &ENGLISH, false).await;
}

pub async fn a_branded_program_in_spanish_on_a_wide_screen(tools: Tools) {
    branded_journey(tools, "branded-es", WIDE, &SPANISH, false).await;
}
