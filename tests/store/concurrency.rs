//! "Exactly once" and "nothing lost" are decided by the database: these
//! cases race many writers and would fail on a read-then-write in Rust.

use chrono::Duration;
use futures_util::future::join_all;
use onboarding::{domain::entity::TermsAgreement, store::Store};

use crate::{fixture, now};

const WRITERS: usize = 16;
/// Races are timing-dependent: several rounds make a lost one show.
const ROUNDS: usize = 10;

#[tokio::test]
async fn of_many_concurrent_claims_exactly_one_wins() {
    let f = fixture().await;
    let session = f.session(None, Duration::hours(1)).await;
    let claims = (0..WRITERS).map(|_| {
        let store = f.store.clone();
        let (group, id) = (f.group.clone(), session.id.clone());
        tokio::spawn(async move {
            let mut work = store.begin().await.unwrap();
            let claimed = work.claim_session(&group, &id, None, now()).await.unwrap();
            work.commit().await.unwrap();
            claimed.is_some()
        })
    });
    let won = join_all(claims)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);
}

#[tokio::test]
async fn concurrent_attestations_are_all_kept() {
    let f = fixture().await;
    let entity = f.corporation().await;
    let attests = (0..WRITERS).map(|i| {
        let store = f.store.clone();
        let id = entity.clone();
        tokio::spawn(async move {
            let agreement = TermsAgreement {
                agreed_at: now(),
                ip_address: Some(format!("192.0.2.{i}")),
                terms_url: "https://onboard.example.com/onboarding/attestation".to_owned(),
            };
            let mut work = store.begin().await.unwrap();
            work.attest_entity(&id, &agreement, now()).await.unwrap();
            work.commit().await.unwrap();
        })
    });
    for done in join_all(attests).await {
        done.unwrap();
    }
    let stored = f.store.find_entity(&f.group, &entity).await.unwrap().unwrap();
    let mut addresses: Vec<String> = stored
        .terms_agreements
        .into_iter()
        .filter_map(|a| a.ip_address)
        .collect();
    addresses.sort();
    let mut expected: Vec<String> = (0..WRITERS).map(|i| format!("192.0.2.{i}")).collect();
    expected.sort();
    assert_eq!(addresses, expected, "no agreement is lost");
}

/// A store on a fresh, empty database with room for every writer at once.
async fn empty_store(dir: &tempfile::TempDir) -> Store {
    let mut settings = crate::common::settings_for(&crate::common::fresh_database_url(dir.path()).await);
    settings.database_max_connections = u32::try_from(WRITERS).unwrap();
    Store::connect(&settings).await.unwrap()
}

#[tokio::test]
async fn of_many_instances_starting_at_once_exactly_one_bootstraps() {
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let store = empty_store(&dir).await;
        let starts = (0..WRITERS).map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.bootstrap_if_empty(&format!("hash-{i}"), now()).await.unwrap() })
        });
        let created: Vec<_> = join_all(starts).await.into_iter().filter_map(|r| r.unwrap()).collect();
        assert_eq!(created.len(), 1, "one bootstrap");
        assert_eq!(
            store.default_group(now()).await.unwrap(),
            created[0].group_id,
            "and one group"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn concurrent_operators_agree_on_one_default_group() {
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let store = empty_store(&dir).await;
        let asks = (0..WRITERS).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.default_group(now()).await.unwrap() })
        });
        let mut groups: Vec<_> = join_all(asks).await.into_iter().map(|r| r.unwrap()).collect();
        groups.sort();
        groups.dedup();
        assert_eq!(groups.len(), 1, "{groups:?}");
        store.close().await;
    }
}
