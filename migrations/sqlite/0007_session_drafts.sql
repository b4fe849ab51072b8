-- What a customer has entered in the hosted form so far, bound to the
-- session (not to a browser), so that the link resumes anywhere. The
-- answers (full ID numbers included) are sealed as one JSON document with
-- the context 'session_draft/{session_id}'. A draft lives only while its
-- session is active: submitting, expiring and the sweep delete it.
CREATE TABLE session_drafts (
    session_id   TEXT PRIMARY KEY NOT NULL REFERENCES entity_onboarding_sessions (id),
    draft_sealed TEXT NOT NULL,
    updated_at   INTEGER NOT NULL
);
