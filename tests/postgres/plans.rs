//! Query plans that must not depend on PostgreSQL's statistics.

use onboarding::config::DatabaseTarget;
use serde_json::Value;

use crate::common;

/// Index entries read, per index of the sessions table, as the statistics
/// (flushed when the service's connections end) report them.
async fn index_reads(pool: &sqlx::PgPool) -> Vec<(String, i64, i64)> {
    let sql = "SELECT indexrelname::text, idx_scan, idx_tup_read FROM pg_stat_user_indexes
               WHERE relname = 'entity_onboarding_sessions' ORDER BY indexrelname";
    sqlx::query_as(sql).fetch_all(pool).await.unwrap()
}

/// How many lookups went through the ID's index.
fn lookups_by_id(reads: &[(String, i64, i64)]) -> i64 {
    reads.iter().find(|(name, ..)| name == BY_ID).map_or(0, |r| r.1)
}

const BY_ID: &str = "entity_onboarding_sessions_id_key";
const BY_TOKEN: &str = "entity_onboarding_sessions_token_key";

/// Rows read by whole-table scans of the sessions table.
async fn scanned_rows(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'entity_onboarding_sessions'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Opens each session's form eight times (a lookup by its link's hash).
async fn open_all(app: &common::TestApp, links: &[String]) {
    for _ in 0..8 {
        for link in links {
            let response = app.client.get(link).send().await.unwrap();
            assert_eq!(response.status(), 200);
        }
    }
}

/// Retrieves each session eight times.
async fn retrieve_all(app: &common::TestApp, ids: &[String]) {
    for _ in 0..8 {
        for id in ids {
            let response = app.get(&format!("/entity_onboarding_sessions/{id}")).await;
            assert_eq!(response.status(), 200);
        }
    }
}

/// An app whose statements all run on their generic plans from the start
/// (the plan PostgreSQL keeps after five runs), made while the table is
/// nearly empty; and no ANALYZE tells PostgreSQL about the rows added later.
async fn app_on_generic_plans_never_analysed() -> common::TestApp {
    let app = common::spawn_app_with(|settings| {
        if let Ok(DatabaseTarget::Postgres(url)) = settings.database_url.target() {
            let joiner = if url.contains('?') { '&' } else { '?' };
            settings.database_url = format!("{url}{joiner}options[plan_cache_mode]=force_generic_plan").into();
        }
    })
    .await;
    app.execute_sql("ALTER TABLE entity_onboarding_sessions SET (autovacuum_enabled = off)")
        .await;
    app
}

/// The app's group grows by 20,000 sessions, with no ANALYZE in between.
async fn grow_the_group(app: &common::TestApp) {
    app.execute_sql(&format!(
        "INSERT INTO entity_onboarding_sessions
             (id, group_id, program_id, redirect_url, token_hash, status, created_at, expires_at)
         SELECT 'entity_onboarding_session_bulk' || n, '{group}', '{program}', 'https://example.com/',
                'bulk' || n, 'active', now() - interval '1 hour', now() + interval '1 hour'
         FROM generate_series(1, 20000) AS n",
        group = app.group_id,
        program = app.program_id,
    ))
    .await;
}

/// A session retrieved, expired and submitted by ID, or opened by its form
/// link, reads its own row only,
/// even when PostgreSQL planned those statements while the table was nearly
/// empty and has not analysed it since it grew. (With `group_id = $1 AND id
/// = $2`, the plan kept for the prepared statement walked a listing index
/// that starts with `group_id`: every row of the group, on every retrieve.)
pub async fn lookups_by_id_read_one_row_however_the_table_grew() {
    let app = app_on_generic_plans_never_analysed().await;
    let (mut ids, mut links) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let session = app.create_session().await;
        ids.push(session["id"].as_str().unwrap().to_owned());
        links.push(session["session_url"].as_str().unwrap().to_owned());
    }
    retrieve_all(&app, &ids).await;
    open_all(&app, &links).await;
    grow_the_group(&app).await;
    retrieve_all(&app, &ids).await;
    open_all(&app, &links).await;
    let expired = app
        .post_action(&format!("/entity_onboarding_sessions/{}/expire", ids[0]))
        .await;
    assert_eq!(expired.status(), 200);
    let submitted: Value = app
        .post_action(&format!("/simulations/entity_onboarding_sessions/{}/submit", ids[1]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(submitted["status"], "expired", "{submitted}");
    // The service's connections end, which flushes their statistics.
    app.store.close().await;

    let stats = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let mut reads = index_reads(&stats).await;
    for _ in 0..100 {
        if lookups_by_id(&reads) >= 48 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        reads = index_reads(&stats).await;
    }
    let scanned = scanned_rows(&stats).await;
    stats.close().await;
    assert!(
        lookups_by_id(&reads) >= 48,
        "every retrieve used the ID's index: {reads:?}"
    );
    let by_token = reads.iter().find(|(name, ..)| name == BY_TOKEN).map_or(0, |r| r.1);
    assert!(by_token >= 48, "every form page used the link's index: {reads:?}");
    assert!(
        scanned < 1_000,
        "lookups scanned the table ({scanned} rows read): {reads:?}"
    );
    let elsewhere: i64 = reads
        .iter()
        .filter(|(name, ..)| name != BY_ID && name != BY_TOKEN)
        .map(|r| r.2)
        .sum();
    assert!(
        elsewhere < 100,
        "lookups by ID walked another index ({elsewhere} entries read): {reads:?}"
    );
}

const LISTING: &str = "sessions_listing";

/// A list of 100 reads its page from the listing index, in order, even when
/// PostgreSQL has never analysed the table and the group has grown to 20,000
/// sessions. (With its limit written into the statement, the plan kept for
/// it fetched every row of the group and sorted them, on every list: lists of
/// 100 fell from about 3,000 to 230 a second in the benchmark.)
pub async fn a_list_reads_one_page_however_the_group_grew() {
    let app = app_on_generic_plans_never_analysed().await;
    app.create_session().await;
    grow_the_group(&app).await;
    const LISTS: i64 = 8;
    for _ in 0..LISTS {
        let page: Value = app
            .get("/entity_onboarding_sessions?limit=100")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["data"].as_array().map(Vec::len), Some(100), "{page}");
        assert!(page["next_cursor"].is_string(), "{page}");
    }
    app.store.close().await;

    let stats = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let mut reads = index_reads(&stats).await;
    for _ in 0..100 {
        if reads.iter().any(|(name, scans, _)| name == LISTING && *scans >= LISTS) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        reads = index_reads(&stats).await;
    }
    let scanned = scanned_rows(&stats).await;
    stats.close().await;
    let listing = reads.iter().find(|(name, ..)| name == LISTING).map_or(0, |r| r.2);
    assert!(
        reads.iter().any(|(name, scans, _)| name == LISTING && *scans >= LISTS),
        "every list used the listing index: {reads:?}"
    );
    assert!(
        listing < LISTS * 200,
        "each list read a page, not the group ({listing} entries read): {reads:?}"
    );
    assert!(
        scanned < 1_000,
        "lists scanned the table ({scanned} rows read): {reads:?}"
    );
}
