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

/// On SQLite, units queued together share one commit: a unit that fails
/// takes back only its own changes, and a commit returns once its changes
/// are visible to every reader.
#[tokio::test]
async fn of_units_queued_together_each_keeps_or_loses_only_its_own_changes() {
    let f = fixture().await;
    for _ in 0..ROUNDS {
        let units = (0..WRITERS).map(|i| {
            let (store, group, program) = (f.store.clone(), f.group.clone(), f.program.clone());
            tokio::spawn(async move {
                let session = crate::new_session(&program);
                let mut work = store.begin().await.unwrap();
                work.insert_session(&group, &session, None, now())
                    .await
                    .unwrap()
                    .unwrap();
                let keep = i % 3 != 0;
                if keep {
                    work.commit().await.unwrap();
                    let seen = store.find_session(&group, &session.id).await.unwrap();
                    assert!(seen.is_some(), "a committed unit is visible to readers");
                } else {
                    drop(work);
                }
                (session.id, keep)
            })
        });
        for (id, kept) in join_all(units).await.into_iter().map(Result::unwrap) {
            assert_eq!(f.store.find_session(&f.group, &id).await.unwrap().is_some(), kept);
        }
    }
}

/// A unit that read what a concurrent unit wrote (the winner of a race)
/// and then settles answers only once that write is committed.
#[tokio::test]
async fn a_unit_that_settles_waits_for_the_writes_it_saw() {
    let f = fixture().await;
    let session = crate::new_session(&f.program);
    let mut winner = f.store.begin().await.unwrap();
    winner
        .insert_session(&f.group, &session, None, now())
        .await
        .unwrap()
        .unwrap();
    let loser = {
        let (store, group, id) = (f.store.clone(), f.group.clone(), session.id.clone());
        tokio::spawn(async move {
            let mut work = store.begin().await.unwrap();
            let saw = work.find_session(&group, &id).await.unwrap().is_some();
            work.settle().await.unwrap();
            let visible = store.find_session(&group, &id).await.unwrap().is_some();
            (saw, visible)
        })
    };
    // The loser queues for the writer (SQLite) before the winner commits,
    // and a slow unit behind it, so that the shared commit comes late.
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let slow = {
        let store = f.store.clone();
        tokio::spawn(async move {
            let work = store.begin().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            work.commit().await.unwrap();
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    winner.commit().await.unwrap();
    let (saw, visible) = loser.await.unwrap();
    slow.await.unwrap();
    if f.store.backend() == onboarding::store::Backend::Sqlite {
        assert!(saw, "on SQLite the loser runs after the winner, in its batch");
    }
    if saw {
        assert!(visible, "what the loser saw was committed before it settled");
    }
}
