//! Reads on connections lent without pings.

use std::time::Duration;

use onboarding::domain::ids::SessionId;
use sqlx::Connection;

use crate::common;

/// The app, with two connections: one for units of work and one for
/// reads, so that every read runs on the same connection; and two sessions.
async fn app_with_one_reader(statement_timeout: Option<Duration>) -> (common::TestApp, Vec<SessionId>) {
    let app = common::spawn_app_with(|settings| {
        settings.database_max_connections = 2;
        if let Some(timeout) = statement_timeout {
            settings.database_statement_timeout = timeout;
        }
    })
    .await;
    let ids = [app.create_session().await, app.create_session().await]
        .iter()
        .map(|session| session["id"].as_str().unwrap().parse().unwrap())
        .collect();
    (app, ids)
}

/// A connection holding the sessions table locked: a read of it then waits
/// on the server, after its query was sent. `COMMIT` on it lets it go.
async fn lock_sessions(app: &common::TestApp) -> sqlx::PgConnection {
    let mut locker = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut locker).await.unwrap();
    sqlx::query("LOCK TABLE entity_onboarding_sessions IN ACCESS EXCLUSIVE MODE")
        .execute(&mut locker)
        .await
        .unwrap();
    locker
}

async fn unlock_sessions(mut locker: sqlx::PgConnection) {
    sqlx::query("COMMIT").execute(&mut locker).await.unwrap();
    locker.close().await.unwrap();
}

/// Ends every connection to the app's database but `admin`'s, as a server
/// restart would, and waits until the ended backends are gone.
async fn end_every_other_connection(admin: &mut sqlx::PgConnection) {
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut *admin)
    .await
    .unwrap();
    for _ in 0..200 {
        let left: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut *admin)
        .await
        .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A read abandoned while PostgreSQL is still working on it (the request
/// went away) leaves its connection whole: the next read on it gets its own
/// answer, not the abandoned one's.
pub async fn a_read_abandoned_mid_way_leaves_its_connection_whole_for_the_next() {
    let (app, ids) = app_with_one_reader(None).await;
    for round in 0..3 {
        let mut locker = lock_sessions(&app).await;
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
        unlock_sessions(locker).await;
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
    let (app, ids) = app_with_one_reader(Some(Duration::from_secs(1))).await;
    for round in 0..2 {
        let locker = lock_sessions(&app).await;
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
        unlock_sessions(locker).await;
        let session = next
            .await
            .unwrap()
            .unwrap_or_else(|error| panic!("round {round}: the next read failed: {error}"))
            .expect("the second session");
        assert_eq!(session.id, ids[1]);
    }
}

/// A unit of work that finds the server gone has the read connections idle
/// since then checked before their next use, as a read that finds it gone
/// does: after the server ended every connection, the unit fails, and the
/// read that follows at once gets a fresh connection instead of failing
/// too. (Both connections were used moments before, within the pause after
/// which they are pinged anyway.) Without the recording, every round in
/// which the unit fails has the read fail too.
pub async fn a_unit_that_finds_the_server_gone_has_idle_reads_checked() {
    let (app, ids) = app_with_one_reader(None).await;
    let mut admin = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
    let mut told = 0;
    for round in 0..6 {
        // Each connection in use moments ago.
        app.store.begin().await.unwrap().commit().await.unwrap();
        app.store.find_session(&app.group_id, &ids[0]).await.unwrap();
        let used = std::time::Instant::now();
        end_every_other_connection(&mut admin).await;
        match app.store.begin().await {
            Err(onboarding::store::StoreError::Unavailable(_)) => {}
            // The webhook worker's read (once a second, on the one read
            // connection) found the loss first: its connection was then
            // checked and replaced, and the round tells nothing.
            Ok(work) => {
                work.commit().await.unwrap();
                continue;
            }
            Err(error) => panic!("round {round}: the unit failed otherwise: {error}"),
        }
        let session = app
            .store
            .find_session(&app.group_id, &ids[1])
            .await
            .unwrap_or_else(|error| panic!("round {round}: the read after the unit failed: {error}"))
            .expect("the second session");
        assert_eq!(session.id, ids[1]);
        // A round slower than the pause had the read's connection pinged
        // for its pause alone, and tells nothing.
        if used.elapsed() < Duration::from_millis(900) {
            told += 1;
            if told == 2 {
                return;
            }
        }
    }
    panic!("only {told} of 6 rounds ran within the pause after which reads are pinged anyway");
}

/// A unit of work dropped on the error of a statement that found the server
/// gone (its request returned the error; it never reached `COMMIT`) has the
/// read connections idle since then checked before their next use: the
/// drop's ping, which finds the connection dead, records the loss. Without
/// the recording, the read right after fails too (unless the webhook
/// worker's read, once a second, found the loss first: two rounds must
/// tell).
pub async fn a_unit_dropped_on_a_lost_server_has_idle_reads_checked() {
    let (app, ids) = app_with_one_reader(None).await;
    let mut admin = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
    let mut told = 0;
    for round in 0..6 {
        app.store.find_session(&app.group_id, &ids[0]).await.unwrap();
        let mut work = app.store.begin().await.unwrap();
        let used = std::time::Instant::now();
        end_every_other_connection(&mut admin).await;
        match work.find_session(&app.group_id, &ids[0]).await {
            Err(onboarding::store::StoreError::Unavailable(_)) => {}
            other => panic!("round {round}: the unit's statement did not find the server gone: {other:?}"),
        }
        drop(work);
        // The drop pings the connection on the store's runtime; a dead
        // socket fails the ping at once.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let session = app
            .store
            .find_session(&app.group_id, &ids[1])
            .await
            .unwrap_or_else(|error| panic!("round {round}: the read after the unit failed: {error}"))
            .expect("the second session");
        assert_eq!(session.id, ids[1]);
        if used.elapsed() < Duration::from_millis(900) {
            told += 1;
            if told == 2 {
                return;
            }
        }
    }
    panic!("only {told} of 6 rounds ran within the pause after which reads are pinged anyway");
}
