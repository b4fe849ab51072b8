//! Units of work on PostgreSQL: their connections, and what they leave behind.

use std::time::Duration;

use sqlx::Connection;

use crate::common;

/// A unit of work dropped half-way (its request went away) gives up its
/// row locks at once, not at its connection's next use: an update of the
/// row it changed, from outside the service, does not wait; and its change
/// is undone.
pub async fn a_unit_dropped_half_way_lets_go_of_its_locks_at_once() {
    // One connection for units of work, one for reads.
    let app = common::spawn_app_with(|settings| settings.database_max_connections = 2).await;
    let session = app.create_session().await;
    let id: onboarding::domain::ids::SessionId = session["id"].as_str().unwrap().parse().unwrap();
    let mut outside = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
    sqlx::query("SET lock_timeout = '3s'")
        .execute(&mut outside)
        .await
        .unwrap();
    for round in 0..3 {
        let mut work = app.store.begin().await.unwrap();
        let (_, ended) = work
            .expire_session(&app.group_id, &id, chrono::Utc::now())
            .await
            .unwrap()
            .expect("the session");
        assert!(ended, "round {round}: the unit expired the session");
        drop(work);
        // The unit's connection sits unused in its pool from here.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let updated = sqlx::query("UPDATE entity_onboarding_sessions SET locale = locale WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut outside)
            .await
            .unwrap_or_else(|error| panic!("round {round}: the row stayed locked: {error}"));
        assert_eq!(updated.rows_affected(), 1);
        let status: String = sqlx::query_scalar("SELECT status FROM entity_onboarding_sessions WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&mut outside)
            .await
            .unwrap();
        assert_eq!(status, "active", "round {round}: the dropped unit's change was undone");
    }
    // And the connection serves the next unit.
    let mut work = app.store.begin().await.unwrap();
    assert!(
        work.expire_session(&app.group_id, &id, chrono::Utc::now())
            .await
            .unwrap()
            .unwrap()
            .1
    );
    work.commit().await.unwrap();
}
