//! Store conformance: the same cases against SQLite and, when
//! `TEST_DATABASE_URL` names a PostgreSQL server, against PostgreSQL (CI runs
//! the suite once per backend). Each case gets a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod concurrency;
mod migration;
mod records;

use chrono::{DateTime, Duration, Utc};
use onboarding::{
    domain::{
        RedirectUrl,
        entity::{EntityDetails, sandbox_corporation},
        ids::{EntityId, FormToken, GroupId, ProgramId, SessionId},
        session::{NewSession, Session},
        validation::Validation,
    },
    store::{NewEntity, Store},
};

/// A store on a fresh database, with one group and its default program.
pub struct Fixture {
    pub store: Store,
    pub group: GroupId,
    pub program: ProgramId,
    _dir: tempfile::TempDir,
}

pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&common::settings_for(&common::fresh_database_url(dir.path()).await))
        .await
        .unwrap();
    let created = store.bootstrap_if_empty("hash", now()).await.unwrap().unwrap();
    Fixture {
        store,
        group: created.group_id,
        program: created.program_id,
        _dir: dir,
    }
}

/// A time with microseconds, to check that they survive the round trip.
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_micros(1_795_000_000_123_456).unwrap()
}

/// A session to insert, in `program`, open for an hour.
pub fn new_session(program: &ProgramId) -> NewSession {
    NewSession {
        id: SessionId::generate(),
        program_id: program.clone(),
        entity_id: None,
        redirect_url: RedirectUrl::parse("https://platform.example.com/done?ref=1").unwrap(),
        token: FormToken::generate(),
        expires_at: now() + Duration::hours(1),
        locale: None,
    }
}

impl Fixture {
    pub async fn session(&self, entity_id: Option<EntityId>, lifetime: Duration) -> Session {
        let mut work = self.store.begin().await.unwrap();
        let session = NewSession {
            entity_id,
            expires_at: now() + lifetime,
            ..new_session(&self.program)
        };
        let created = work
            .insert_session(&self.group, &session, None, now())
            .await
            .unwrap()
            .unwrap();
        work.commit().await.unwrap();
        created
    }

    pub async fn entity(&self, details: &EntityDetails) -> EntityId {
        let id = EntityId::generate();
        let mut work = self.store.begin().await.unwrap();
        let entity = NewEntity {
            id: &id,
            details,
            description: Some("test"),
            creating_session_id: None,
            idempotency_key: None,
            details_confirmed_at: None,
            validation: &Validation::pending(),
            terms_agreement: None,
        };
        work.insert_entity(&self.group, &entity, now()).await.unwrap();
        work.commit().await.unwrap();
        id
    }

    pub async fn corporation(&self) -> EntityId {
        self.entity(&sandbox_corporation()).await
    }
}
