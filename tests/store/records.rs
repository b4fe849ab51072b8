//! Each kind of record reads back as the domain value that was written.

use chrono::Duration;
use onboarding::{
    domain::{
        entity::{EntityStatus, TermsAgreement, sandbox_corporation},
        ids::{IdempotencyKey, SessionId},
        program::NewProgram,
        session::SessionStatus,
        validation::{IssueCategory, Validation, ValidationIssue, ValidationStatus},
    },
    store::{EntityFilter, SessionFilter, StoreError, StoredResponse, Window},
};

use crate::{fixture, now};

#[tokio::test]
async fn sessions_read_back_exactly_as_written() {
    let f = fixture().await;
    let created = f.session(None, Duration::hours(6)).await;
    let found = f.store.find_session(&f.group, &created.id).await.unwrap().unwrap();
    assert_eq!(found.id, created.id);
    assert_eq!(found.status, SessionStatus::Active);
    assert_eq!(found.created_at, now(), "microseconds survive");
    assert_eq!(found.expires_at, now() + Duration::hours(6));
    assert_eq!(found.redirect_url.as_str(), "https://platform.example.com/done?ref=1");
    assert_eq!(found.token, created.token);
    assert!(
        f.store
            .find_session(&f.group, &SessionId::generate())
            .await
            .unwrap()
            .is_none()
    );
    let other_group = f.store.create_group(now()).await.unwrap();
    assert!(f.store.find_session(&other_group, &created.id).await.unwrap().is_none());
}

#[tokio::test]
async fn session_listings_filter_by_status_seen_now_and_page_newest_first() {
    let f = fixture().await;
    let short = f.session(None, Duration::minutes(1)).await;
    let long = f.session(None, Duration::hours(6)).await;
    let later = now() + Duration::minutes(5);
    let filter = |statuses: Vec<SessionStatus>| SessionFilter {
        statuses: Some(statuses),
        idempotency_key: None,
    };
    let all = Window { after: None, limit: 10 };
    let active = f
        .store
        .list_sessions(&f.group, &filter(vec![SessionStatus::Active]), all, later)
        .await
        .unwrap();
    assert_eq!(active.items.iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&long.id]);
    let expired = f
        .store
        .list_sessions(&f.group, &filter(vec![SessionStatus::Expired]), all, later)
        .await
        .unwrap();
    assert_eq!(expired.items.iter().map(|s| &s.id).collect::<Vec<_>>(), vec![&short.id]);
    let first = f
        .store
        .list_sessions(
            &f.group,
            &SessionFilter::default(),
            Window { after: None, limit: 1 },
            later,
        )
        .await
        .unwrap();
    assert_eq!(first.items[0].id, long.id, "newest first");
    let second = f
        .store
        .list_sessions(
            &f.group,
            &SessionFilter::default(),
            Window {
                after: first.next,
                limit: 1,
            },
            later,
        )
        .await
        .unwrap();
    assert_eq!(second.items[0].id, short.id);
    assert!(second.next.is_none());
}

#[tokio::test]
async fn a_session_is_claimed_once_and_then_reads_as_completed() {
    let f = fixture().await;
    let session = f.session(None, Duration::hours(1)).await;
    let entity = f.corporation().await;
    let mut work = f.store.begin().await.unwrap();
    let claimed = work
        .claim_session(&f.group, &session.id, None, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.status, SessionStatus::Expired);
    assert_eq!(claimed.completed_at, Some(now()));
    assert!(session.token.is_some());
    assert_eq!(claimed.token, None, "an ended session's link is no longer kept");
    assert!(
        work.claim_session(&f.group, &session.id, None, now())
            .await
            .unwrap()
            .is_none()
    );
    let linked = work.link_session_entity(&session.id, &entity).await.unwrap();
    assert_eq!(linked.completed_entity(), Some(&entity));
    work.commit().await.unwrap();
    let stored = f.store.find_session(&f.group, &session.id).await.unwrap().unwrap();
    assert_eq!(stored.completed_entity(), Some(&entity));
}

#[tokio::test]
async fn an_overdue_session_cannot_be_claimed_and_the_sweep_persists_its_expiry() {
    let f = fixture().await;
    let session = f.session(None, Duration::minutes(1)).await;
    let later = now() + Duration::minutes(2);
    let mut work = f.store.begin().await.unwrap();
    assert!(
        work.claim_session(&f.group, &session.id, None, later)
            .await
            .unwrap()
            .is_none()
    );
    work.commit().await.unwrap();
    assert_eq!(f.store.expire_sessions_before(later).await.unwrap(), 1);
    assert_eq!(f.store.expire_sessions_before(later).await.unwrap(), 0);
    let stored = f.store.find_session(&f.group, &session.id).await.unwrap().unwrap();
    assert_eq!(stored.status, SessionStatus::Expired);
    assert_eq!(stored.completed_at, None);
    assert_eq!(stored.token, None, "the sweep purges the ended session's link");
    // Still found by its link's hash, to tell the customer it has ended.
    let token = session.token.as_ref().unwrap();
    let found = f.store.find_form_session(token).await.unwrap().unwrap();
    assert_eq!(found.session.id, session.id);
}

#[tokio::test]
async fn entities_keep_their_details_validation_and_agreements() {
    let f = fixture().await;
    let id = f.corporation().await;
    let entity = f.store.find_entity(&f.group, &id).await.unwrap().unwrap();
    assert_eq!(entity.details, sandbox_corporation_with_owner(&entity.details));
    assert_eq!(entity.validation, Some(Validation::pending()));
    assert_eq!(entity.status, EntityStatus::Active);
    assert_eq!(entity.created_at, now());
    let owner = entity.details.beneficial_owners()[0].id.clone();
    let flagged = Validation::from_issues(vec![ValidationIssue {
        category: IssueCategory::BeneficialOwnerAddress,
        beneficial_owner_id: Some(owner.clone()),
    }]);
    let mut work = f.store.begin().await.unwrap();
    let updated = work
        .set_entity_validation(&f.group, &id, &flagged, now())
        .await
        .unwrap();
    assert_eq!(
        updated.validation.as_ref().map(|v| v.status),
        Some(ValidationStatus::Invalid)
    );
    let agreement = TermsAgreement {
        agreed_at: now(),
        ip_address: Some("192.0.2.7".to_owned()),
        terms_url: "https://onboard.example.com/onboarding/attestation".to_owned(),
    };
    work.attest_entity(&id, &agreement, now()).await.unwrap();
    work.attest_entity(&id, &agreement, now()).await.unwrap();
    work.commit().await.unwrap();
    let entity = f.store.find_entity(&f.group, &id).await.unwrap().unwrap();
    assert_eq!(entity.validation, Some(flagged));
    assert_eq!(entity.terms_agreements, vec![agreement.clone(), agreement]);
    assert_eq!(entity.details_confirmed_at, Some(now()));
}

/// The sandbox corporation as stored: same data, its generated owner ID kept.
fn sandbox_corporation_with_owner(
    stored: &onboarding::domain::entity::EntityDetails,
) -> onboarding::domain::entity::EntityDetails {
    use onboarding::domain::entity::EntityDetails;
    let (EntityDetails::Corporation(mut expected), EntityDetails::Corporation(stored)) =
        (sandbox_corporation(), stored.clone())
    else {
        panic!("a corporation");
    };
    expected.beneficial_owners[0].id = stored.beneficial_owners[0].id.clone();
    EntityDetails::Corporation(expected)
}

#[tokio::test]
async fn entity_listings_filter_by_status_and_creation_time() {
    let f = fixture().await;
    let kept = f.corporation().await;
    let archived = f.corporation().await;
    let mut work = f.store.begin().await.unwrap();
    work.archive_entity(&f.group, &archived, now()).await.unwrap().unwrap();
    work.commit().await.unwrap();
    let all = Window { after: None, limit: 10 };
    let active = EntityFilter {
        statuses: Some(vec![EntityStatus::Active]),
        ..Default::default()
    };
    let page = f.store.list_entities(&f.group, &active, all).await.unwrap();
    assert_eq!(page.items.iter().map(|e| &e.id).collect::<Vec<_>>(), vec![&kept]);
    let on_the_dot = EntityFilter {
        created_on_or_after: Some(now()),
        created_on_or_before: Some(now()),
        ..Default::default()
    };
    assert_eq!(
        f.store
            .list_entities(&f.group, &on_the_dot, all)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let after = EntityFilter {
        created_after: Some(now()),
        ..Default::default()
    };
    assert!(
        f.store
            .list_entities(&f.group, &after, all)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test]
async fn an_idempotency_key_records_one_response() {
    let f = fixture().await;
    let key = IdempotencyKey::parse("stainless-python-retry-1").unwrap();
    let response = StoredResponse {
        fingerprint: "f".repeat(64),
        resource_id: "entity_onboarding_session_x".to_owned(),
        response_status: 200,
        response_body: "{\"id\":1}".to_owned(),
    };
    let mut work = f.store.begin().await.unwrap();
    work.record_response(&f.group, &key, &response, now()).await.unwrap();
    work.commit().await.unwrap();
    let stored = f.store.find_response(&f.group, &key).await.unwrap().unwrap();
    assert_eq!(
        (stored.response_status, stored.response_body.as_str()),
        (200, "{\"id\":1}")
    );
    let mut again = f.store.begin().await.unwrap();
    let second = again.record_response(&f.group, &key, &response, now()).await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
}

#[tokio::test]
async fn idempotent_responses_recorded_before_the_cutoff_are_pruned_in_batches() {
    let f = fixture().await;
    let other_group = f.store.create_group(now()).await.unwrap();
    let response = StoredResponse {
        fingerprint: "f".repeat(64),
        resource_id: "entity_onboarding_session_x".to_owned(),
        response_status: 200,
        response_body: "{}".to_owned(),
    };
    let key = |name: &str| IdempotencyKey::parse(name).unwrap();
    let cutoff = now() + Duration::days(30);
    // More old responses than one batch deletes, in two groups.
    let old = 2_500;
    let mut work = f.store.begin().await.unwrap();
    for i in 0..old {
        let group = if i % 2 == 0 { &f.group } else { &other_group };
        let at = now() + Duration::seconds(i);
        work.record_response(group, &key(&format!("old-{i}")), &response, at)
            .await
            .unwrap();
    }
    work.record_response(&f.group, &key("at-the-cutoff"), &response, cutoff)
        .await
        .unwrap();
    work.record_response(&f.group, &key("young"), &response, cutoff + Duration::days(1))
        .await
        .unwrap();
    work.commit().await.unwrap();

    assert_eq!(f.store.prune_idempotency_responses_before(cutoff).await.unwrap(), 2_500);
    assert_eq!(f.store.prune_idempotency_responses_before(cutoff).await.unwrap(), 0);
    for (group, name) in [(&f.group, "old-0"), (&other_group, "old-1"), (&f.group, "old-2498")] {
        assert!(
            f.store.find_response(group, &key(name)).await.unwrap().is_none(),
            "{name}"
        );
    }
    for name in ["at-the-cutoff", "young"] {
        assert!(
            f.store.find_response(&f.group, &key(name)).await.unwrap().is_some(),
            "{name}"
        );
    }
    // A pruned key can be used afresh.
    let mut work = f.store.begin().await.unwrap();
    work.record_response(&f.group, &key("old-0"), &response, cutoff)
        .await
        .unwrap();
    work.commit().await.unwrap();
}

#[tokio::test]
async fn corrections_based_on_a_stale_read_are_refused() {
    let f = fixture().await;
    let id = f.corporation().await;
    let read = f.store.find_entity(&f.group, &id).await.unwrap().unwrap();
    let later = now() + Duration::seconds(1);
    let mut work = f.store.begin().await.unwrap();
    let flagged = Validation::from_issues(Vec::new());
    work.set_entity_validation(&f.group, &id, &flagged, later)
        .await
        .unwrap();
    work.commit().await.unwrap();
    let mut work = f.store.begin().await.unwrap();
    let stale = work
        .replace_entity_details(&id, &read.details, None, read.updated_at, later)
        .await
        .unwrap();
    assert!(!stale, "another change came in between");
    let current = f.store.find_entity(&f.group, &id).await.unwrap().unwrap();
    let fresh = work
        .replace_entity_details(
            &id,
            &read.details,
            None,
            current.updated_at,
            later + Duration::seconds(1),
        )
        .await
        .unwrap();
    assert!(fresh);
    work.commit().await.unwrap();
}

#[tokio::test]
async fn the_operator_lists_every_group_s_keys_and_programs_oldest_first() {
    let f = fixture().await;
    let later = now() + Duration::seconds(1);
    let other = f.store.create_group(later).await.unwrap();
    let key = f
        .store
        .insert_api_key(
            &other,
            &onboarding::store::NewApiKey::sandbox("Tenant B", "hash-b"),
            later,
        )
        .await
        .unwrap();
    f.store
        .revoke_api_key(&key, later + Duration::seconds(1))
        .await
        .unwrap();
    let mut work = f.store.begin().await.unwrap();
    let program = work
        .insert_program(&other, &NewProgram::named("Tenant B cards".to_owned()), None, later)
        .await
        .unwrap();
    work.commit().await.unwrap();

    let keys = f.store.list_api_keys().await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        (&keys[0].group_id, keys[0].created_at, keys[0].revoked_at),
        (&f.group, now(), None)
    );
    assert_eq!(
        (&keys[1].id, keys[1].name.as_str(), &keys[1].group_id),
        (&key, "Tenant B", &other)
    );
    assert_eq!(keys[1].revoked_at, Some(later + Duration::seconds(1)));

    let programs = f.store.list_all_programs().await.unwrap();
    let listed: Vec<_> = programs.iter().map(|(group, p)| (group, &p.id)).collect();
    assert_eq!(listed, [(&f.group, &f.program), (&other, &program.id)]);
    assert_eq!(programs[1].1.created_at, later);
}

#[tokio::test]
async fn a_session_is_only_inserted_for_a_program_of_its_group() {
    use onboarding::domain::{
        RedirectUrl,
        ids::{FormToken, SessionId},
        session::NewSession,
    };
    let f = fixture().await;
    let other_group = f.store.create_group(now()).await.unwrap();
    let session = NewSession {
        id: SessionId::generate(),
        program_id: f.program.clone(),
        entity_id: None,
        redirect_url: RedirectUrl::parse("https://platform.example.com/done").unwrap(),
        token: FormToken::generate(),
        expires_at: now() + Duration::hours(1),
        locale: None,
    };
    let mut work = f.store.begin().await.unwrap();
    assert!(
        work.insert_session(&other_group, &session, None, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        work.insert_session(&f.group, &session, None, now())
            .await
            .unwrap()
            .is_some()
    );
    work.commit().await.unwrap();
}

#[tokio::test]
async fn cursors_of_the_first_release_keep_paging_after_the_upgrade() {
    use base64::Engine;
    use onboarding::store::Cursor;
    let f = fixture().await;
    let first = f.session(None, Duration::hours(1)).await;
    let second = f.session(None, Duration::hours(1)).await;
    let third = f.session(None, Duration::hours(1)).await;
    let all = Window { after: None, limit: 10 };
    let page = f
        .store
        .list_sessions(&f.group, &SessionFilter::default(), all, now())
        .await
        .unwrap();
    let ids: Vec<_> = page.items.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, vec![third.id.clone(), second.id.clone(), first.id.clone()]);
    // The first release's cursor named the last row's seq only ("v1:<seq>").
    let legacy = Cursor::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("v1:3")).unwrap();
    let window = Window {
        after: Some(legacy),
        limit: 10,
    };
    let rest = f
        .store
        .list_sessions(&f.group, &SessionFilter::default(), window, now())
        .await
        .unwrap();
    let ids: Vec<_> = rest.items.iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, vec![second.id, first.id]);
}
