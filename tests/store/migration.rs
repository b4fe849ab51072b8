//! A database made by the first release (migration 0001: Unix microseconds
//! in integer columns, JSON as text) is migrated in place at start, and
//! everything in it reads back.

use chrono::{DateTime, Utc};
use onboarding::{
    domain::{
        entity::{EntityDetails, EntityStatus, IdentificationMethod, Prong},
        ids::{EntityId, FormToken, GroupId, IdempotencyKey, ProgramId, SessionId},
        session::SessionStatus,
        validation::{IssueCategory, ValidationStatus},
    },
    store::Store,
};

const GROUP: &str = "group_aaaaaaaaaaaaaaaaaaaa";
const PROGRAM: &str = "program_aaaaaaaaaaaaaaaaaaaa";
const ENTITY: &str = "entity_aaaaaaaaaaaaaaaaaaaa";
const OWNER: &str = "entity_beneficial_owner_aaaaaaaaaaaaaaaaaaaa";
const SESSION: &str = "entity_onboarding_session_aaaaaaaaaaaaaaaaaaaa";
const OPEN_SESSION: &str = "entity_onboarding_session_bbbbbbbbbbbbbbbbbbbb";
const OPEN_TOKEN: &str = "opentokenopentokenopentokenopen1";
/// 2026-11-20T10:00:00.123456Z
const MICROS: i64 = 1_795_082_400_123_456;

/// What the first release wrote, byte for byte in shape.
fn first_release_rows() -> String {
    let details = format!(
        r#"{{"name":"National Phonograph Company","website":"https://example.com","email":null,"incorporation_state":"NY","industry_code":"334310","legal_identifier":{{"category":"us_employer_identification_number","value":"602214076"}},"address":{{"line1":"33 Liberty Street","line2":null,"city":"New York","state":"NY","zip":"10045","country":"US"}},"beneficial_owners":[{{"id":"{OWNER}","company_title":"CEO","prongs":["ownership","control"],"individual":{{"name":"Ian Crease","date_of_birth":"1970-01-31","address":{{"line1":"33 Liberty Street","line2":null,"city":"New York","state":"NY","zip":"10045","country":"US"}},"identification":{{"method":"social_security_number","number_last4":"1120"}}}}}}],"beneficial_ownership_exemption_reason":null}}"#
    );
    let validation = format!(
        r#"{{"issues":[{{"beneficial_owner_address":{{"beneficial_owner_id":"{OWNER}","reason":"mailbox_address"}},"beneficial_owner_identity":null,"beneficial_owner_tax_identifier":null,"category":"beneficial_owner_address","entity_address":null,"entity_identity":null,"entity_tax_identifier":null}}],"status":"invalid"}}"#
    );
    let terms = r#"[{"agreed_at":"2026-11-20T10:00:00Z","ip_address":"192.0.2.1","terms_url":"https://onboard.example.com/onboarding/attestation"}]"#;
    let m = MICROS;
    format!(
        "INSERT INTO groups (id, created_at) VALUES ('{GROUP}', {m});
         INSERT INTO api_keys (id, group_id, name, key_hash, created_at, revoked_at)
            VALUES ('api_key_aaaaaaaaaaaaaaaaaaaa', '{GROUP}', 'old', 'old-hash', {m}, NULL);
         INSERT INTO programs (id, group_id, name, bank, interest_rate, idempotency_key, created_at, updated_at)
            VALUES ('{PROGRAM}', '{GROUP}', 'Old program', 'grasshopper_bank', '0.01', NULL, {m}, {m});
         INSERT INTO entities (id, group_id, structure, status, description, details, details_confirmed_at,
                creating_entity_onboarding_session_id, idempotency_key, validation, terms_agreements, created_at, updated_at)
            VALUES ('{ENTITY}', '{GROUP}', 'corporation', 'active', NULL, '{details}', {m},
                '{SESSION}', NULL, '{validation}', '{terms}', {m}, {m});
         INSERT INTO entity_onboarding_sessions (id, group_id, program_id, entity_id, redirect_url, token, status,
                idempotency_key, created_at, expires_at, completed_at)
            VALUES ('{SESSION}', '{GROUP}', '{PROGRAM}', '{ENTITY}', 'https://platform.example.com/done?ref=7',
                'tokentokentokentokentokentoken12', 'expired', 'old-key', {m}, {m} + 21600000000, {m});
         INSERT INTO entity_onboarding_sessions (id, group_id, program_id, entity_id, redirect_url, token, status,
                idempotency_key, created_at, expires_at, completed_at)
            VALUES ('{OPEN_SESSION}', '{GROUP}', '{PROGRAM}', NULL, 'https://platform.example.com/done',
                '{OPEN_TOKEN}', 'active', NULL, {m}, 4102444800000000, NULL);
         INSERT INTO idempotency_keys (group_id, key, fingerprint, resource_id, response_status, response_body, created_at)
            VALUES ('{GROUP}', 'old-key', 'fp', '{SESSION}', 200, '{{\"id\":\"{SESSION}\"}}', {m});"
    )
}

/// Creates the first release's schema (0001 only) and its rows.
async fn first_release_database(url: &str, backend: &str) {
    let dir = tempfile::tempdir().unwrap();
    let first = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("migrations/{backend}/0001_initial.sql"));
    std::fs::copy(&first, dir.path().join("0001_initial.sql")).unwrap();
    let migrator = sqlx::migrate::Migrator::new(dir.path()).await.unwrap();
    let rows = first_release_rows();
    if backend == "postgres" {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        migrator.run(&pool).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(rows)).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(url)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        migrator.run(&pool).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(rows)).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

#[tokio::test]
async fn a_database_from_the_first_release_is_migrated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::common::fresh_database_url(dir.path()).await;
    let backend = if crate::common::on_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    first_release_database(&url, backend).await;

    let store = Store::connect(&crate::common::settings_for(url.as_str()))
        .await
        .unwrap();
    let at = DateTime::<Utc>::from_timestamp_micros(MICROS).unwrap();
    let group: GroupId = GROUP.parse().unwrap();

    let session = store
        .find_session(&group, &SESSION.parse::<SessionId>().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.status, SessionStatus::Expired);
    assert_eq!((session.created_at, session.completed_at), (at, Some(at)));
    assert_eq!(session.expires_at, at + chrono::Duration::hours(6));
    assert_eq!(session.entity_id, Some(ENTITY.parse::<EntityId>().unwrap()));
    assert_eq!(session.idempotency_key, Some(IdempotencyKey::parse("old-key").unwrap()));

    let entity = store
        .find_entity(&group, &ENTITY.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (entity.status, entity.created_at, entity.details_confirmed_at),
        (EntityStatus::Active, at, Some(at))
    );
    let EntityDetails::Corporation(corporation) = &entity.details else {
        panic!("a corporation");
    };
    let owner = &corporation.beneficial_owners[0];
    assert_eq!(owner.id.as_str(), OWNER);
    assert_eq!(owner.prongs, vec![Prong::Ownership, Prong::Control]);
    assert_eq!(
        owner
            .individual
            .identification
            .as_ref()
            .map(|i| (i.method, i.number_last4.as_str())),
        Some((IdentificationMethod::SocialSecurityNumber, "1120"))
    );
    let validation = entity.validation.as_ref().unwrap();
    assert_eq!(validation.status, ValidationStatus::Invalid);
    assert!(validation.flags_owner(IssueCategory::BeneficialOwnerAddress, &owner.id));
    assert_eq!(entity.terms_agreements.len(), 1);
    assert_eq!(
        entity.terms_agreements[0].agreed_at.to_rfc3339(),
        "2026-11-20T10:00:00+00:00"
    );

    let program = store
        .find_program(&group, &PROGRAM.parse::<ProgramId>().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((program.name.as_str(), program.created_at), ("Old program", at));
    let owner_of_key = store.find_api_key_owner("old-hash").await.unwrap().unwrap();
    assert_eq!((owner_of_key.group_id, owner_of_key.revoked), (group.clone(), false));
    let replay = store
        .find_response(&group, &IdempotencyKey::parse("old-key").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((replay.response_status, replay.resource_id.as_str()), (200, SESSION));

    // Secrets kept in clear by the first release are converted at start-up:
    // links issued before keep working, found by the hash of their token.
    let open = store
        .find_form_session(&FormToken::parse(OPEN_TOKEN).unwrap())
        .await
        .unwrap()
        .expect("an active session's link keeps working");
    assert_eq!(open.session.id.as_str(), OPEN_SESSION);
    assert_eq!(open.session.token.as_ref().map(FormToken::expose), Some(OPEN_TOKEN));
    let used = store
        .find_form_session(&FormToken::parse("tokentokentokentokentokentoken12").unwrap())
        .await
        .unwrap()
        .expect("an ended session's link still finds it (to say it has ended)");
    assert_eq!(used.session.token, None, "an ended session's token is not kept");
    assert_eq!(replay.response_body, format!("{{\"id\":\"{SESSION}\"}}"));
    let stored = crate::common::dump_database(&url).await;
    let clear_body = format!("{{\"id\":\"{SESSION}\"}}");
    // (PostgreSQL's dump shows a text column JSON-escaped.)
    let escaped_body = clear_body.replace('"', "\\\"");
    for clear in [
        OPEN_TOKEN,
        "tokentokentokentokentokentoken12",
        &clear_body,
        &escaped_body,
    ] {
        assert!(!stored.contains(clear), "{clear} is no longer stored in clear");
    }
    assert_eq!(
        owner_of_key.environment,
        onboarding::domain::api_key::Environment::Sandbox
    );
    assert!(!owner_of_key.permissions.reveal_pii);

    // And the migrated database takes new writes of every kind.
    let mut work = store.begin().await.unwrap();
    let agreement = entity.terms_agreements[0].clone();
    work.attest_entity(&entity.id, &agreement, at).await.unwrap();
    work.commit().await.unwrap();
    let entity = store.find_entity(&group, &entity.id).await.unwrap().unwrap();
    assert_eq!(entity.terms_agreements.len(), 2);
}
