//! Shared by the test binaries: a real server on port 0 with its own database.
#![allow(dead_code)]

pub mod binary;
pub mod form;
pub mod png;
pub mod python;
pub mod receiver;
pub mod trial;

use std::sync::Arc;

use onboarding::{clock::OffsetClock, config::Settings, domain::api_key, startup::Application, store::Store};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

pub struct TestApp {
    pub address: String,
    /// The app's own database, for tests that look at (or damage) rows directly.
    pub database_url: String,
    pub api_key: String,
    pub program_id: String,
    pub group_id: onboarding::domain::ids::GroupId,
    pub clock: Arc<OffsetClock>,
    pub store: Store,
    pub client: Client,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A fresh database for one test: a SQLite file in `dir`, or, when
/// `TEST_DATABASE_URL` names a PostgreSQL server, a new database on it.
/// A test's PostgreSQL database outlives it (its server may still hold
/// connections when the test ends); the first test of the next run drops it
/// (see [`drop_stale_databases`]).
pub async fn fresh_database_url(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if admin.starts_with("postgres") => {
            use sqlx::Connection;
            let mut conn = sqlx::postgres::PgConnection::connect(&admin)
                .await
                .expect("TEST_DATABASE_URL is reachable");
            static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
            SWEPT.get_or_init(|| drop_stale_databases(&admin)).await;
            let name = format!(
                "{TEST_DATABASE_PREFIX}{}_{}",
                unix_seconds(),
                onboarding::domain::ids::random_alphanumeric(16)
            );
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
        _ => dir.join("test.db").to_string_lossy().into_owned(),
    }
}

/// The names of the tests' PostgreSQL databases start with this, then the
/// second they were made in (Unix time) and a random part.
const TEST_DATABASE_PREFIX: &str = "onboarding_test_";

/// A test database this old is from an earlier run: no test lasts as long.
const STALE_AFTER_SECONDS: u64 = 15 * 60;

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// Drops the test databases of earlier runs on the server `admin` points at,
/// so that a server kept between runs does not fill its disk (each database
/// is several megabytes). A database made in the last
/// [`STALE_AFTER_SECONDS`] is left alone (another run may be using it), and
/// one with a connection open is never dropped (`DROP DATABASE` without
/// `FORCE` refuses). Names without a time are from before the time was
/// part of them, and so stale.
pub async fn drop_stale_databases(admin: &str) {
    use sqlx::Connection;
    let Ok(mut conn) = sqlx::postgres::PgConnection::connect(admin).await else {
        return;
    };
    let names: Vec<String> = sqlx::query_scalar("SELECT datname::text FROM pg_database WHERE starts_with(datname, $1)")
        .bind(TEST_DATABASE_PREFIX)
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
    let now = unix_seconds();
    for name in names {
        if !is_stale(&name, now) || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        // In use, or dropped by another run meanwhile: left as it is.
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS \"{name}\"")))
            .execute(&mut conn)
            .await;
    }
    let _ = conn.close().await;
}

/// Whether the test database `name` was made more than
/// [`STALE_AFTER_SECONDS`] before `now`.
fn is_stale(name: &str, now: u64) -> bool {
    let made = name
        .strip_prefix(TEST_DATABASE_PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .and_then(|(seconds, _)| seconds.parse::<u64>().ok());
    made.is_none_or(|made| now.saturating_sub(made) > STALE_AFTER_SECONDS)
}

/// The data key of every test database on PostgreSQL (which requires one);
/// on SQLite the tests use the key file the service generates.
pub const TEST_DATA_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// The default settings on a test database.
pub fn settings_for(database_url: &str) -> Settings {
    let mut settings = Settings::for_database(database_url);
    if database_url.starts_with("postgres") {
        settings.data_key = Some(onboarding::config::DataKey::parse(TEST_DATA_KEY).unwrap());
    }
    settings
}

/// Everything a database holds, as text to search: on SQLite the bytes of
/// its file and of its `-wal` and `-shm` files; on PostgreSQL every row of
/// every table.
pub async fn dump_database(database_url: &str) -> String {
    if database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'")
                .fetch_all(&pool)
                .await
                .unwrap();
        let mut dump = String::new();
        for table in tables {
            let sql = format!("SELECT row_to_json(t)::text FROM \"{table}\" t");
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap();
            dump.push_str(&rows.join("\n"));
        }
        pool.close().await;
        dump
    } else {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{database_url}{suffix}")).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect()
    }
}

pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|url| url.starts_with("postgres"))
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(dir.path()).await;
    let mut settings = settings_for(&database_url);
    settings.listen = "127.0.0.1:0".parse().unwrap();
    settings.workers = Some(2);
    configure(&mut settings);
    let store = Store::connect(&settings).await.unwrap();
    let api_key = api_key::generate();
    let clock = Arc::new(OffsetClock::default());
    let created = store
        .bootstrap_if_empty(
            &api_key::digest(&api_key),
            onboarding::clock::Clock::now(clock.as_ref()),
        )
        .await
        .unwrap()
        .expect("fresh database");
    let app = Application::build(settings, clock.clone(), store.clone()).unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        database_url,
        api_key,
        program_id: created.program_id.to_string(),
        group_id: created.group_id,
        clock,
        store,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Well within the server's keep-alive (5 s): a connection left
            // idle while a browser journey runs is not reused just as the
            // server closes it.
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .unwrap(),
        _dir: dir,
    }
}

impl TestApp {
    /// Runs SQL on the app's database behind its back; the database's
    /// refusal, if it refuses.
    pub async fn try_execute_sql(&self, sql: &str) -> Result<(), String> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        let result = if on_postgres() {
            let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            let result = sqlx::raw_sql(sql).execute(&pool).await.map(drop);
            pool.close().await;
            result
        } else {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&self.database_url);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            let result = sqlx::raw_sql(sql).execute(&pool).await.map(drop);
            pool.close().await;
            result
        };
        result.map_err(|e| e.to_string())
    }

    /// Runs SQL on the app's database behind its back.
    pub async fn execute_sql(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        if on_postgres() {
            let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&self.database_url);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.api_key)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.api_key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_with_key(&self, path: &str, body: &Value, key: &str) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.api_key)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(&self.api_key)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// A body-less action, sent the way the official SDKs send it.
    pub async fn post_action(&self, path: &str) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.api_key)
            .header("Content-Type", "application/json")
            .header("Content-Length", "0")
            .send()
            .await
            .unwrap()
    }

    pub async fn create_session(&self) -> Value {
        self.create_session_with(json!({
            "program_id": self.program_id,
            "redirect_url": "https://platform.example.com/onboarded?ref=42",
        }))
        .await
    }

    pub async fn create_session_with(&self, body: Value) -> Value {
        let response = self.post("/entity_onboarding_sessions", &body).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Another API key of the app's group, with this environment and
    /// permission to reveal personal data or not.
    pub async fn api_key_for(&self, environment: api_key::Environment, reveal_pii: bool) -> (String, String) {
        let now = onboarding::clock::Clock::now(self.clock.as_ref());
        let key = api_key::generate();
        let digest = api_key::digest(&key);
        let new_key = onboarding::store::NewApiKey {
            name: "test",
            key_hash: &digest,
            environment,
            permissions: api_key::Permissions { reveal_pii },
        };
        let id = self.store.insert_api_key(&self.group_id, &new_key, now).await.unwrap();
        (key, id.to_string())
    }

    /// An API key for a second, isolated group.
    pub async fn other_group_key(&self) -> String {
        let now = onboarding::clock::Clock::now(self.clock.as_ref());
        let group = self.store.create_group(now).await.unwrap();
        let key = api_key::generate();
        self.store
            .insert_api_key(
                &group,
                &onboarding::store::NewApiKey::sandbox("other", &api_key::digest(&key)),
                now,
            )
            .await
            .unwrap();
        key
    }
}
