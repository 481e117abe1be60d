//! A new event: the blank form, and creating the draft.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::AppState;
use super::event_check::validate;
use super::event_edit::{EventFormPage, checked_or_again, store_refusal};
use super::event_form::EventForm;
use super::extract::FormFields;
use super::session::{self, Editor};
use crate::error::Result;

pub async fn new_form(State(state): State<AppState>, Editor(_, viewer): Editor) -> Result<Response> {
    let form = EventForm {
        event_type: "meeting".to_owned(),
        ..EventForm::default()
    }
    .with_blank_rows(0);
    Ok(EventFormPage::new(&state, viewer.csrf, form, None)
        .await?
        .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    fields: FormFields,
) -> Result<Response> {
    let mut form = EventForm::from_fields(&fields)?;
    let checked = validate(&state, &mut form, &fields).await?;
    let page = EventFormPage::new(&state, viewer.csrf, form, None).await?;
    let (page, fields) = match checked_or_again(page, checked) {
        Ok(checked) => checked,
        Err(again) => return Ok(*again),
    };
    let id = match state
        .db
        .create_event(&fields, user.id, &page.form.edit_summary)
        .await
    {
        Ok(id) => id,
        Err(error) => return store_refusal(page, error),
    };
    tracing::info!(editor = %user.name, event = id, "event created");
    session::set_notice(
        &session,
        "Saved as a draft: readers will see it once it is published.",
    )
    .await?;
    Ok(Redirect::to(&crate::paths::event_short(id)).into_response())
}
