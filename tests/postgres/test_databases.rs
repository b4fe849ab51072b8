//! The tests' own databases: those of earlier runs are dropped, so that a
//! PostgreSQL server kept between runs does not fill its disk.

use sqlx::{Connection, PgConnection};

use crate::common::{drop_stale_databases, fresh_database_url};

async fn exists(admin: &mut PgConnection, name: &str) -> bool {
    sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(admin)
        .await
        .unwrap()
}

pub async fn stale_test_databases_are_dropped_and_recent_or_busy_ones_kept() {
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let dir = tempfile::tempdir().unwrap();
    // One made now, through the helper every test uses.
    let recent_url = fresh_database_url(dir.path()).await;
    let recent = url::Url::parse(&recent_url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned();
    assert!(recent.starts_with("onboarding_test_"), "{recent}");
    // Two made long ago (as their names say), one of them still in use, and
    // one named as before names carried their time.
    let suffix = onboarding::domain::ids::random_alphanumeric(8);
    let old = format!("onboarding_test_1000000000_{suffix}");
    let busy = format!("onboarding_test_1000000001_{suffix}");
    let untimed = format!("onboarding_test_{suffix}");
    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    for name in [&old, &busy, &untimed] {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    let mut busy_url = url::Url::parse(&admin_url).unwrap();
    busy_url.set_path(&format!("/{busy}"));
    let user = PgConnection::connect(busy_url.as_str()).await.unwrap();

    drop_stale_databases(&admin_url).await;

    assert!(!exists(&mut admin, &old).await, "{old} is stale");
    assert!(
        !exists(&mut admin, &untimed).await,
        "{untimed} is from before names carried a time"
    );
    assert!(
        exists(&mut admin, &recent).await,
        "{recent} may belong to a run under way"
    );
    assert!(exists(&mut admin, &busy).await, "{busy} has a connection open");
    user.close().await.unwrap();
    drop_stale_databases(&admin_url).await;
    assert!(!exists(&mut admin, &busy).await, "{busy} once nobody uses it");
    admin.close().await.unwrap();
}
