//! What a customer has entered in the hosted form so far: kept on the
//! server, bound to the session, so that its link resumes on any device.
//! It holds full ID numbers until the submission, so it never serializes
//! anywhere but into the store (which seals it), and its `Debug` shows no
//! answer.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The largest draft kept, as JSON: far more than eight owners' answers.
pub const MAX_DRAFT_BYTES: usize = 48 * 1024;

#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// Answers by the API's JSON paths (`corporation.address.zip`); several
    /// values for a group of checkboxes.
    pub answers: BTreeMap<String, Vec<String>>,
    /// The pages the customer has saved (by their stable names).
    pub saved: BTreeSet<String>,
    /// For a session of an existing Entity: when the Entity last changed
    /// as the customer's answers found it. A submission based on an older
    /// Entity is refused rather than applied over the newer one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<chrono::DateTime<chrono::Utc>>,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("answers", &self.answers.len())
            .field("saved", &self.saved)
            .field("based_on", &self.based_on)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the draft is larger than {MAX_DRAFT_BYTES} bytes")]
pub struct DraftTooLarge;

impl Draft {
    /// The draft as the JSON the store seals, if it is not too large.
    pub fn to_json(&self) -> Result<String, DraftTooLarge> {
        let json = serde_json::to_string(self).map_err(|_| DraftTooLarge)?;
        if json.len() > MAX_DRAFT_BYTES {
            return Err(DraftTooLarge);
        }
        Ok(json)
    }

    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_and_are_bounded() {
        let mut draft = Draft::default();
        draft
            .answers
            .insert("natural_person.identification.number".into(), vec!["123456789".into()]);
        draft.saved.insert("person".into());
        let json = draft.to_json().unwrap();
        assert_eq!(Draft::from_json(&json).unwrap(), draft);
        assert!(!format!("{draft:?}").contains("123456789"), "Debug hides answers");
        draft
            .answers
            .insert("corporation.name".into(), vec!["x".repeat(MAX_DRAFT_BYTES)]);
        assert_eq!(draft.to_json(), Err(DraftTooLarge));
    }
}
