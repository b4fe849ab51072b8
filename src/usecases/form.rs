//! The hosted form: opening a session's link and submitting it.

use chrono::{DateTime, Utc};

use super::{Error, NotAllowed};
use crate::{
    domain::{
        branding::Branding,
        draft::{Draft, MAX_DRAFT_BYTES},
        entity::{Entity, EntityDetails, TermsAgreement},
        event::EventCategory,
        ids::{EntityId, FormToken, GroupId},
        session::Session,
        validation::Validation,
    },
    store::{FormSession, NewEntity, Store, UnitOfWork},
};

/// What a form link leads to.
#[derive(Debug)]
pub enum Opened {
    /// The form can be filled in.
    Active(Box<ActiveForm>),
    /// The session was completed; its Entity is known.
    Completed(Box<EndedForm>),
    /// The link expired or was ended by the platform.
    Closed(Box<EndedForm>),
    /// The session's Entity was archived (or disabled) after the session
    /// was made: nothing may change it through the session any more.
    EntityNotActive(Box<EndedForm>),
}

impl Opened {
    /// The session behind the link, whatever became of it.
    pub fn session(&self) -> &Session {
        match self {
            Self::Active(form) => &form.session,
            Self::Completed(ended) | Self::Closed(ended) | Self::EntityNotActive(ended) => &ended.session,
        }
    }
}

/// The session of a link that can no longer be used, and whose program it is.
#[derive(Debug)]
pub struct EndedForm {
    pub session: Session,
    pub program_name: String,
    pub branding: Branding,
}

/// An active session's form, with the Entity it was created for (if any).
#[derive(Debug)]
pub struct ActiveForm {
    pub group_id: GroupId,
    pub session: Session,
    pub program_name: String,
    pub branding: Branding,
    pub entity: Option<Entity>,
    /// What the customer has saved of the form so far (an empty draft at
    /// first), read with the session.
    pub draft: Draft,
}

/// Looks up the session behind a form link.
#[tracing::instrument(skip_all)]
pub async fn open_form(store: &Store, token: &FormToken, now: DateTime<Utc>) -> Result<Opened, Error> {
    let FormSession {
        group_id,
        session,
        program_name,
        branding,
        opened,
        draft,
    } = store.find_form_session(token).await?.ok_or(Error::NotFound)?;
    if !session.is_active_at(now) {
        let completed = session.completed_entity().is_some();
        let ended = Box::new(EndedForm {
            session,
            program_name,
            branding,
        });
        return Ok(if completed {
            Opened::Completed(ended)
        } else {
            Opened::Closed(ended)
        });
    }
    let entity = match &session.entity_id {
        Some(id) => {
            let entity = store.find_entity_of_session(id).await?.ok_or(Error::NotFound)?;
            if !entity.can_be_onboarded() {
                return Ok(Opened::EntityNotActive(Box::new(EndedForm {
                    session,
                    program_name,
                    branding,
                })));
            }
            Some(entity)
        }
        None => None,
    };
    if !opened {
        store.mark_session_opened(&group_id, &session.id, now).await?;
    }
    Ok(Opened::Active(Box::new(ActiveForm {
        group_id,
        session,
        program_name,
        branding,
        entity,
        draft,
    })))
}

/// What the customer submitted, already checked against the rules.
#[derive(Debug, Clone)]
pub enum Submission {
    /// A new Entity's details (a session made without an Entity).
    NewEntity(EntityDetails),
    /// The outstanding tasks of the session's Entity: its corrected details
    /// and validation when the form asked for details, else only the attestation.
    Tasks {
        corrected: Option<(EntityDetails, Option<Validation>)>,
    },
}

/// How a submission ended.
#[derive(Debug)]
pub enum Submitted {
    /// This request completed the session; it now names the Entity.
    Completed(Session),
    /// An earlier request already completed it (a double click, a second tab).
    AlreadyCompleted(Session),
}

impl Submitted {
    pub fn session(&self) -> &Session {
        match self {
            Self::Completed(session) | Self::AlreadyCompleted(session) => session,
        }
    }
}

/// Completes the form's session in one unit of work: creates the Entity (or
/// updates the session's Entity), records the confirmation and attestation,
/// links the Entity and expires the session. Of any number of concurrent
/// submissions exactly one creates or updates an Entity: the others' work
/// is rolled back when their claim of the session finds it taken.
#[tracing::instrument(skip_all, fields(session_id = %form.session.id))]
pub async fn submit_form(
    store: &Store,
    form: &ActiveForm,
    submission: &Submission,
    terms: &TermsAgreement,
    now: DateTime<Utc>,
) -> Result<Submitted, Error> {
    let mut work = store.begin().await?;
    let (group, id) = (&form.group_id, &form.session.id);
    // A refusal may come from what a concurrent unit wrote (an archive, a
    // correction): that unit's commit is awaited before it is told.
    let claimed = async {
        Ok::<_, Error>(match (&form.session.entity_id, submission) {
            (None, Submission::NewEntity(details)) => {
                // The Entity first, so that the claim links it in the same statement.
                let entity_id = EntityId::generate();
                let entity = NewEntity {
                    id: &entity_id,
                    details,
                    description: None,
                    creating_session_id: Some(id),
                    idempotency_key: None,
                    details_confirmed_at: Some(now),
                    validation: &Validation::pending(),
                    terms_agreement: Some(terms),
                };
                work.insert_entity(group, &entity, now).await?;
                work.record_event(group, EventCategory::EntityCreated, entity_id.as_str(), now)
                    .await?;
                work.claim_session(group, id, Some(&entity_id), now).await?
            }
            (Some(entity_id), Submission::Tasks { corrected }) => {
                // Held until the commit, so that an archive cannot slip in
                // between this check and the update.
                super::entities::ensure_entity_active(&mut work, group, entity_id).await?;
                let claimed = work.claim_session(group, id, None, now).await?;
                if claimed.is_some() {
                    let read_at = form.entity.as_ref().map(|entity| entity.updated_at);
                    correct(&mut work, entity_id, corrected.as_ref(), read_at, now).await?;
                    work.attest_entity(entity_id, terms, now).await?;
                    work.record_event(group, EventCategory::EntityUpdated, entity_id.as_str(), now)
                        .await?;
                }
                claimed
            }
            _ => return Err(Error::NotAllowed(NotAllowed::FormDoesNotMatchSession)),
        })
    }
    .await;
    let claimed = match claimed {
        Ok(claimed) => claimed,
        Err(error) => {
            work.settle().await?;
            return Err(error);
        }
    };
    let Some(session) = claimed else {
        // Not committed: whatever this request wrote is rolled back, and
        // the request that completed the session has committed before its
        // Entity is named here.
        let current = work.find_session(group, id).await;
        work.settle().await?;
        let current = current?.ok_or(Error::NotFound)?;
        return match current.completed_entity() {
            Some(_) => Ok(Submitted::AlreadyCompleted(current)),
            None => Err(Error::NotAllowed(NotAllowed::SessionNotActive)),
        };
    };
    work.record_event(group, EventCategory::SessionSubmitted, id.as_str(), now)
        .await?;
    work.after_commit(|| metrics::counter!("onboarding_sessions_submitted_total", "via" => "form").increment(1));
    work.commit().await?;
    Ok(Submitted::Completed(session))
}

/// Applies the customer's corrections to the session's Entity, unless it
/// changed since the form read it.
async fn correct(
    work: &mut UnitOfWork,
    entity_id: &EntityId,
    corrected: Option<&(EntityDetails, Option<Validation>)>,
    read_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let (Some((details, validation)), Some(read_at)) = (corrected, read_at) else {
        return Ok(());
    };
    let replaced = work
        .replace_entity_details(entity_id, details, validation.as_ref(), read_at, now)
        .await?;
    if replaced {
        Ok(())
    } else {
        Err(Error::NotAllowed(NotAllowed::EntityChanged))
    }
}

/// Keeps the customer's answers so far with the session, sealed. Refused
/// once the session has ended (it may end while the customer types), and
/// for a draft over [`MAX_DRAFT_BYTES`].
#[tracing::instrument(skip_all, fields(session_id = %form.session.id))]
pub async fn save_draft(store: &Store, form: &ActiveForm, draft: &Draft, now: DateTime<Utc>) -> Result<(), Error> {
    if draft.to_json().is_err() {
        return Err(Error::invalid(
            "draft",
            format!("the answers must fit in {MAX_DRAFT_BYTES} bytes"),
        ));
    }
    let mut work = store.begin().await?;
    if !work.save_draft(&form.session.id, draft, now).await? {
        // Ended by a concurrent unit, perhaps: told once that is committed.
        work.settle().await?;
        return Err(Error::NotAllowed(NotAllowed::SessionNotActive));
    }
    work.commit().await?;
    Ok(())
}
