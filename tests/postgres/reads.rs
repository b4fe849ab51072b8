//! Reads on connections lent without pings.

use std::time::Duration;

use onboarding::domain::ids::SessionId;
use sqlx::Connection;

use crate::common;

/// A read abandoned while PostgreSQL is still working on it (the request
/// went away) leaves its connection to the next read, which gets its own
/// answer and not the abandoned one's, although no ping checked the
/// connection on its way back to the pool.
pub async fn a_read_abandoned_mid_way_leaves_its_connection_whole_for_the_next() {
    // Two connections: one for units of work, one for reads, so every read
    // below runs on the same connection.
    let app = common::spawn_app_with(|settings| settings.database_max_connections = 2).await;
    let ids: Vec<SessionId> = [app.create_session().await, app.create_session().await]
        .iter()
        .map(|session| session["id"].as_str().unwrap().parse().unwrap())
        .collect();
    for round in 0..3 {
        // The lock makes the next read wait on the server, after its query was sent.
        let mut locker = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut locker).await.unwrap();
        sqlx::query("LOCK TABLE entity_onboarding_sessions IN ACCESS EXCLUSIVE MODE")
            .execute(&mut locker)
            .await
            .unwrap();
        let mut read = Box::pin(app.store.find_session(&app.group_id, &ids[0]));
        let waited = tokio::time::timeout(Duration::from_millis(300), &mut read).await;
        assert!(waited.is_err(), "round {round}: the read waited for the lock");
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'
               AND query LIKE '%FROM entity_onboarding_sessions%'",
        )
        .fetch_one(&mut locker)
        .await
        .unwrap();
        assert!(waiting >= 1, "round {round}: the server was working on the read");
        drop(read);
        // The server now answers the abandoned read, into the connection.
        sqlx::query("COMMIT").execute(&mut locker).await.unwrap();
        locker.close().await.unwrap();
        for _ in 0..3 {
            let session = app
                .store
                .find_session(&app.group_id, &ids[1])
                .await
                .unwrap()
                .expect("the second session");
            assert_eq!(session.id, ids[1], "round {round}: the next read got its own answer");
        }
    }
    assert_eq!(app.store.pool_usage().in_use, 0, "every connection is back in its pool");
}

/// A read abandoned while PostgreSQL is still working on it, which then
/// fails there (its statement timeout), does not hand its error to the
/// next read on its connection.
pub async fn an_abandoned_read_that_then_fails_does_not_fail_the_next() {
    let app = common::spawn_app_with(|settings| {
        settings.database_max_connections = 2;
        settings.database_statement_timeout = Duration::from_secs(1);
    })
    .await;
    let ids: Vec<SessionId> = [app.create_session().await, app.create_session().await]
        .iter()
        .map(|session| session["id"].as_str().unwrap().parse().unwrap())
        .collect();
    for round in 0..2 {
        let mut locker = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut locker).await.unwrap();
        sqlx::query("LOCK TABLE entity_onboarding_sessions IN ACCESS EXCLUSIVE MODE")
            .execute(&mut locker)
            .await
            .unwrap();
        let waited = tokio::time::timeout(
            Duration::from_millis(300),
            app.store.find_session(&app.group_id, &ids[0]),
        )
        .await;
        assert!(waited.is_err(), "round {round}: the read waited for the lock");
        // The next read asks at once, for the one read connection; then the
        // server ends the abandoned read with an error at its statement
        // timeout, and the lock goes.
        let next = {
            let (store, group, id) = (app.store.clone(), app.group_id.clone(), ids[1].clone());
            tokio::spawn(async move { store.find_session(&group, &id).await })
        };
        tokio::time::sleep(Duration::from_millis(1300)).await;
        sqlx::query("COMMIT").execute(&mut locker).await.unwrap();
        locker.close().await.unwrap();
        let session = next
            .await
            .unwrap()
            .unwrap_or_else(|error| panic!("round {round}: the next read failed: {error}"))
            .expect("the second session");
        assert_eq!(session.id, ids[1]);
    }
}
