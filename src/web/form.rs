//! What the editors' forms share: select options, the version a form was loaded from,
//! what a stale form says, and which fields two versions disagree on.

use crate::error::Error;

/// One choice of a select field.
pub struct SelectOption {
    pub value: String,
    pub label: String,
}

/// A stale form: the record changed since it was loaded.
pub fn stale(what: &str) -> Error {
    Error::Conflict(format!(
        "Someone saved this {what} after you loaded the form. Nothing of yours was saved; go \
         back, reload the form to see their change, and make yours again."
    ))
}

/// The fields two versions of a form disagree on: (label, saved now, yours).
pub fn differences(pairs: &[(&'static str, &str, &str)]) -> Vec<(&'static str, String, String)> {
    pairs
        .iter()
        .filter(|(_, saved, yours)| saved.trim() != yours.trim())
        .map(|(label, saved, yours)| (*label, (*saved).to_owned(), (*yours).to_owned()))
        .collect()
}

/// The version a form was loaded from (its hidden `version` field), which a save must
/// still find: a form without one cannot be checked for conflicts, so it is refused.
pub fn form_version(text: &str) -> Result<i64, Error> {
    text.trim().parse().map_err(|_| {
        Error::BadRequest("The form does not say which version it was loaded from; reload it.".to_owned())
    })
}
