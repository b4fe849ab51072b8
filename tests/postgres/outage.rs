//! Losing the database: a cut connection, a database that is not up yet at
//! start-up, and a restarted cluster.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use serde_json::{Value, json};
use tokio::{io::copy_bidirectional, net::TcpListener, task::JoinHandle};

use crate::common::{fresh_database_url, spawn_app_with};

/// Scripts that stop and start the cluster behind `TEST_DATABASE_URL`.
pub struct ClusterScripts {
    stop: String,
    start: String,
}

/// `TEST_PG_STOP` and `TEST_PG_START`, on PostgreSQL, or why the restart test cannot run.
pub fn cluster_scripts() -> Result<ClusterScripts, String> {
    crate::postgres()?;
    match (std::env::var("TEST_PG_STOP"), std::env::var("TEST_PG_START")) {
        (Ok(stop), Ok(start)) => Ok(ClusterScripts { stop, start }),
        _ => Err("set TEST_PG_STOP and TEST_PG_START to scripts that stop and start the cluster".to_owned()),
    }
}

/// A TCP proxy in front of PostgreSQL that the test can cut and restore.
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (flag, tasks) = (down.clone(), connections.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                tasks.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await {
                        let _ = copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                }));
            }
        });
        Self {
            port,
            down,
            connections,
        }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for task in self.connections.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

pub async fn a_lost_database_gives_503_and_the_service_recovers_by_itself() {
    let dir = tempfile::tempdir().unwrap();
    let direct = url::Url::parse(&fresh_database_url(dir.path()).await).unwrap();
    let upstream = format!("{}:{}", direct.host_str().unwrap(), direct.port().unwrap_or(5432));
    let proxy = Proxy::start(upstream).await;
    let mut via_proxy = direct.clone();
    via_proxy.set_port(Some(proxy.port)).unwrap();
    let app = spawn_app_with(|settings| {
        settings.database_url = via_proxy.to_string().into();
        settings.database_acquire_timeout = Duration::from_secs(1);
    })
    .await;
    assert_eq!(app.get("/programs").await.status(), 200);

    proxy.cut();
    let response = app.get("/programs").await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 503);
    assert_eq!(body["type"], "internal_server_error");
    let response = app
        .post(
            "/entity_onboarding_sessions",
            &json!({ "program_id": app.program_id, "redirect_url": "https://x.example" }),
        )
        .await;
    assert_eq!(response.status(), 503);
    let ready = app.client.get(app.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "not ready while the database is away");
    let alive = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(alive.status(), 200, "but alive");

    proxy.restore();
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/programs").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the service recovers once the database is back");
    assert_eq!(app.client.get(app.url("/ready")).send().await.unwrap().status(), 200);
    let session = app.create_session().await;
    assert_eq!(session["status"], "active");
}

pub async fn start_up_waits_for_a_database_that_is_not_up_yet() {
    let dir = tempfile::tempdir().unwrap();
    let direct = url::Url::parse(&fresh_database_url(dir.path()).await).unwrap();
    let proxy = Proxy::start(format!(
        "{}:{}",
        direct.host_str().unwrap(),
        direct.port().unwrap_or(5432)
    ))
    .await;
    proxy.cut();
    let mut via_proxy = direct.clone();
    via_proxy.set_port(Some(proxy.port)).unwrap();
    let mut settings = crate::common::settings_for(via_proxy.as_ref());
    settings.database_startup_timeout = Duration::from_secs(20);
    let connecting = tokio::spawn(async move { onboarding::store::Store::connect(&settings).await });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!connecting.is_finished(), "still retrying while the database is down");
    proxy.restore();
    let store = tokio::time::timeout(Duration::from_secs(15), connecting)
        .await
        .unwrap()
        .unwrap();
    assert!(store.is_ok(), "connected once the database came up: {:?}", store.err());

    // With a short start-up timeout, a database that stays down is a clear error.
    proxy.cut();
    let mut settings = crate::common::settings_for(via_proxy.as_ref());
    settings.database_startup_timeout = Duration::from_secs(1);
    let error = match onboarding::store::Store::connect(&settings).await {
        Ok(_) => panic!("gives up"),
        Err(error) => error,
    };
    assert!(
        matches!(error, onboarding::store::StoreError::Unavailable(_)),
        "{error:?}"
    );
}

/// Runs only where the test may stop and start the cluster itself: `.ci/run`
/// sets `TEST_PG_STOP` and `TEST_PG_START` to scripts that do so.
pub async fn a_restarted_cluster_gives_503_meanwhile_and_the_service_recovers(scripts: ClusterScripts) {
    let ClusterScripts { stop, start } = scripts;
    let app = spawn_app_with(|settings| settings.database_acquire_timeout = Duration::from_secs(1)).await;
    assert_eq!(app.get("/programs").await.status(), 200);

    let stopped = tokio::process::Command::new("sh").arg(&stop).status().await.unwrap();
    assert!(stopped.success(), "the cluster stopped");
    let response = app.get("/programs").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.json::<Value>().await.unwrap()["status"], 503);

    let started = tokio::process::Command::new("sh").arg(&start).status().await.unwrap();
    assert!(started.success(), "the cluster started again");
    let mut recovered = false;
    for _ in 0..100 {
        if app.get("/programs").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the service recovers by itself once the cluster is back");
    assert_eq!(app.create_session().await["status"], "active");
}
