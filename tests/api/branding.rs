//! A program's branding and allow-lists, through the API extension
//! `/hosted_onboarding/programs/{id}/branding`.

use base64::Engine;
use serde_json::{Value, json};

use onboarding::domain::api_key::Environment;

use crate::helpers::{TestApp, assert_error, error_fields, event_categories, spawn_app};

/// A real 1×1 PNG, padded to `size` bytes with a trailing chunk the image
/// does not need.
pub fn png_of_size(size: usize) -> Vec<u8> {
    let mut png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
        .unwrap();
    png.resize(size.max(png.len()), 0);
    png
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn branding_path(program_id: &str) -> String {
    format!("/hosted_onboarding/programs/{program_id}/branding")
}

/// A production key of the app's group: only such a key may change where a
/// program redirects and who may frame it.
async fn production_key(app: &TestApp) -> String {
    app.api_key_for(Environment::Production, false).await.0
}

async fn patch_with(app: &TestApp, key: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn branding_is_set_read_back_and_cleared() {
    let app = spawn_app().await;
    let path = branding_path(&app.program_id);
    let unset: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        unset,
        json!({
            "type": "hosted_onboarding_program_branding",
            "program_id": app.program_id,
            "display_name": null, "accent_color": null, "logo_url": null,
            "support_url": null, "privacy_url": null,
            "allowed_redirect_origins": null, "allowed_frame_ancestors": [],
            "redirect_out_of_frame": false,
        })
    );

    let production = production_key(&app).await;
    let response = patch_with(
        &app,
        &production,
        &path,
        &json!({
            "display_name": "Acme Payroll",
            "accent_color": "#0A7D5A",
            "logo": base64(&png_of_size(2_000)),
            "support_url": "mailto:help@acme.example",
            "privacy_url": "https://acme.example/privacy",
            "allowed_redirect_origins": ["https://app.acme.example", "https://APP.acme.example:443"],
            "allowed_frame_ancestors": ["https://app.acme.example"],
            "redirect_out_of_frame": true,
        }),
    )
    .await;
    assert_eq!(response.status(), 200);
    let set: Value = response.json().await.unwrap();
    assert_eq!(set["display_name"], "Acme Payroll");
    assert_eq!(set["accent_color"], "#0a7d5a", "normalised to lower case");
    assert_eq!(set["support_url"], "mailto:help@acme.example");
    assert_eq!(set["privacy_url"], "https://acme.example/privacy");
    assert_eq!(
        set["allowed_redirect_origins"],
        json!(["https://app.acme.example"]),
        "repeats dropped"
    );
    assert_eq!(set["allowed_frame_ancestors"], json!(["https://app.acme.example"]));
    assert_eq!(set["redirect_out_of_frame"], true);
    let logo_url = set["logo_url"].as_str().unwrap().to_owned();
    assert!(
        logo_url.starts_with(&format!("{}/static/logos/", app.address)),
        "{logo_url}"
    );
    assert!(logo_url.ends_with(".png"), "{logo_url}");
    assert_eq!(app.get(&path).await.json::<Value>().await.unwrap(), set);

    // The logo is served to anyone, with its type and cached for good.
    let logo = reqwest::get(&logo_url).await.unwrap();
    assert_eq!(logo.status(), 200);
    assert_eq!(logo.headers()["content-type"], "image/png");
    assert_eq!(logo.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(logo.headers()["x-content-type-options"], "nosniff");
    assert_eq!(logo.bytes().await.unwrap().to_vec(), png_of_size(2_000));

    // A key left out keeps its value; a new logo has a new address.
    let changed: Value = app
        .patch(&path, &json!({ "logo": base64(&png_of_size(3_000)) }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["display_name"], "Acme Payroll");
    assert_ne!(changed["logo_url"], set["logo_url"]);

    // null clears each setting.
    let cleared: Value = patch_with(
        &app,
        &production,
        &path,
        &json!({
            "display_name": null, "accent_color": null, "logo": null, "support_url": null,
            "privacy_url": null, "allowed_redirect_origins": null, "allowed_frame_ancestors": null,
            "redirect_out_of_frame": null,
        }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(cleared, unset);

    // Logos no program uses are kept a day (pages rendered just before the
    // change may still ask for them), then the sweep deletes them.
    let sweep = || onboarding::workers::expiry::delete_unused_logos(&app.store, app.clock.as_ref());
    assert_eq!(sweep().await.unwrap(), 0);
    assert_eq!(reqwest::get(&logo_url).await.unwrap().status(), 200);
    app.clock.advance(chrono::Duration::hours(25));
    let in_use: Value = app
        .patch(&path, &json!({ "logo": base64(&png_of_size(2_000)) }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        in_use["logo_url"].as_str(),
        Some(logo_url.as_str()),
        "the same image, the same address"
    );
    assert_eq!(sweep().await.unwrap(), 1, "only the unused logo");
    assert_eq!(
        reqwest::get(changed["logo_url"].as_str().unwrap())
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        reqwest::get(&logo_url).await.unwrap().status(),
        200,
        "a logo in use stays"
    );
}

#[tokio::test]
async fn only_production_keys_change_redirects_and_framing_and_an_empty_change_is_no_change() {
    let app = spawn_app().await;
    let path = branding_path(&app.program_id);
    for body in [
        json!({ "allowed_redirect_origins": ["https://a.example"] }),
        json!({ "allowed_frame_ancestors": ["https://a.example"] }),
        json!({ "redirect_out_of_frame": true, "display_name": "Acme" }),
    ] {
        let error = assert_error(app.patch(&path, &body).await, 403, "insufficient_permissions_error").await;
        assert!(error["detail"].as_str().unwrap().contains("production"), "{error}");
    }
    let unchanged: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(
        unchanged["display_name"],
        Value::Null,
        "nothing of a refused change lands"
    );
    // A sandbox key may restyle the program.
    assert_eq!(app.patch(&path, &json!({ "display_name": "Acme" })).await.status(), 200);

    // An empty list of redirect origins would read as "any": refused.
    let production = production_key(&app).await;
    let body = assert_error(
        patch_with(&app, &production, &path, &json!({ "allowed_redirect_origins": [] })).await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&body), ["allowed_redirect_origins"]);

    // No body at all is a mistake; an empty object is no change.
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.api_key)
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "malformed_request_error").await;
    // An empty change answers the branding as it is, with no event.
    let events = async || event_categories(&app, &app.program_id).await.len();
    let before = events().await;
    let same: Value = app.patch(&path, &json!({})).await.json().await.unwrap();
    assert_eq!(same["display_name"], "Acme");
    assert_eq!(events().await, before);

    // A logo in base64 with line breaks (as `base64` writes it) is accepted.
    let wrapped = base64(&png_of_size(300))
        .as_bytes()
        .chunks(76)
        .map(|line| std::str::from_utf8(line).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(app.patch(&path, &json!({ "logo": wrapped })).await.status(), 200);
    // A display name longer than 200 characters is refused even when spaces pad it.
    let padded = format!("a{}", " ".repeat(200));
    let body = assert_error(
        app.patch(&path, &json!({ "display_name": padded })).await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&body), ["display_name"]);
}

#[tokio::test]
async fn a_pale_accent_colour_is_refused_with_its_contrast() {
    let app = spawn_app().await;
    let path = branding_path(&app.program_id);
    for pale in ["#7fdbff", "#ffffff", "#777777"] {
        let body = assert_error(
            app.patch(&path, &json!({ "accent_color": pale })).await,
            400,
            "invalid_parameters_error",
        )
        .await;
        assert_eq!(error_fields(&body), ["accent_color"], "{pale}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default().to_owned()
            + body["detail"].as_str().unwrap_or_default();
        assert!(message.contains("4.5:1"), "{body}");
    }
    let body = assert_error(
        app.patch(&path, &json!({ "accent_color": "green" })).await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&body), ["accent_color"]);
    // Nothing was changed by the refused requests.
    let branding: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(branding["accent_color"], Value::Null);
    // The darkest grey that passes is accepted.
    assert_eq!(
        app.patch(&path, &json!({ "accent_color": "#767676" })).await.status(),
        200
    );
}

#[tokio::test]
async fn logos_that_are_svg_too_big_or_not_images_are_refused() {
    let app = spawn_app().await;
    let path = branding_path(&app.program_id);
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    let cases = [
        (base64(svg), "SVG"),
        (base64(&png_of_size(100 * 1024 + 1)), "100 KB"),
        (base64(b"GIF89a\x01\x00\x01\x00"), "PNG, JPEG or WebP"),
        ("not base64!".to_owned(), "base64"),
    ];
    for (logo, expected) in cases {
        let body = assert_error(
            app.patch(&path, &json!({ "logo": logo })).await,
            400,
            "invalid_parameters_error",
        )
        .await;
        assert_eq!(error_fields(&body), ["logo"], "{expected}");
        assert!(body.to_string().contains(expected), "{expected}: {body}");
    }
    // The largest logo allowed is accepted.
    let response = app
        .patch(&path, &json!({ "logo": base64(&png_of_size(100 * 1024)) }))
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn bad_settings_are_each_named_and_unknown_programs_are_404() {
    let app = spawn_app().await;
    let path = branding_path(&app.program_id);
    let body = assert_error(
        app.patch(
            &path,
            &json!({
                "display_name": "",
                "support_url": "javascript:alert(1)",
                "privacy_url": "http://acme.example/privacy",
                "allowed_redirect_origins": ["https://app.example/path"],
                "allowed_frame_ancestors": "https://app.example",
                "redirect_out_of_frame": "yes",
                "colour": "#000000",
            }),
        )
        .await,
        400,
        "invalid_parameters_error",
    )
    .await;
    let mut fields = error_fields(&body);
    fields.sort();
    assert_eq!(
        fields,
        [
            "allowed_frame_ancestors",
            "allowed_redirect_origins.0",
            "colour",
            "display_name",
            "privacy_url",
            "redirect_out_of_frame",
            "support_url"
        ]
    );
    let too_many: Vec<String> = (0..21).map(|i| format!("https://a{i}.example")).collect();
    let production = production_key(&app).await;
    let body = assert_error(
        patch_with(
            &app,
            &production,
            &path,
            &json!({ "allowed_frame_ancestors": too_many }),
        )
        .await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&body), ["allowed_frame_ancestors"]);

    assert_error(
        app.get(&branding_path("program_doesnotexist")).await,
        404,
        "object_not_found_error",
    )
    .await;
    // Another group's key sees nothing of this program.
    let other = app.other_group_key().await;
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&other)
        .json(&json!({ "display_name": "Stolen" }))
        .send()
        .await
        .unwrap();
    assert_error(response, 404, "object_not_found_error").await;
    let branding: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(branding["display_name"], Value::Null);
}

#[tokio::test]
async fn a_branding_change_is_a_program_updated_event() {
    let app = spawn_app().await;
    let path = branding_path(&app.program_id);
    assert_eq!(app.patch(&path, &json!({ "display_name": "Acme" })).await.status(), 200);
    let categories = event_categories(&app, &app.program_id).await;
    assert!(categories.iter().any(|c| c == "program.updated"), "{categories:?}");
}

#[tokio::test]
async fn the_redirect_allow_list_refuses_other_origins_and_allows_listed_ones() {
    let app = spawn_app().await;
    let path = branding_path(&app.program_id);
    let production = production_key(&app).await;
    let session = |redirect_url: &str| json!({ "program_id": app.program_id, "redirect_url": redirect_url });
    // No list: any valid redirect_url.
    assert_eq!(
        app.post("/entity_onboarding_sessions", &session("https://anywhere.example/done"))
            .await
            .status(),
        200
    );
    let response = patch_with(
        &app,
        &production,
        &path,
        &json!({ "allowed_redirect_origins": ["https://a.example", "https://b.example:8443"] }),
    )
    .await;
    assert_eq!(response.status(), 200);
    for allowed in [
        "https://a.example/done?x=1",
        "https://A.example:443/other",
        "https://b.example:8443/cb",
    ] {
        let response = app.post("/entity_onboarding_sessions", &session(allowed)).await;
        assert_eq!(response.status(), 200, "{allowed}");
    }
    for refused in [
        "https://anywhere.example/done",
        "https://b.example/cb",
        "https://a.example.evil.example/done",
        "https://evil.example/https://a.example",
        "http://localhost:3000/done",
    ] {
        let body = assert_error(
            app.post("/entity_onboarding_sessions", &session(refused)).await,
            400,
            "invalid_parameters_error",
        )
        .await;
        assert_eq!(error_fields(&body), ["redirect_url"], "{refused}");
        assert!(
            body.to_string().contains("https://a.example, https://b.example:8443"),
            "{body}"
        );
    }
    // An unknown program is still named as such, not as a redirect problem.
    let body = assert_error(
        app.post(
            "/entity_onboarding_sessions",
            &json!({ "program_id": "program_doesnotexist", "redirect_url": "https://a.example/" }),
        )
        .await,
        400,
        "invalid_parameters_error",
    )
    .await;
    assert_eq!(error_fields(&body), ["program_id"]);
    // Cleared: any origin again.
    assert_eq!(
        patch_with(&app, &production, &path, &json!({ "allowed_redirect_origins": null }))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post("/entity_onboarding_sessions", &session("https://anywhere.example/done"))
            .await
            .status(),
        200
    );
}
