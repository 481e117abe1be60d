//! Editing an event: the form loaded with the event, and saving it over the version it
//! was loaded from (a newer one shows a conflict page with both versions).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::AppState;
use super::event_check::validate;
use super::event_edit::{EventFormPage, checked_or_again, conflict_view, load, store_refusal};
use super::event_form::{EventForm, form_of};
use super::extract::{FormFields, PathParams};
use super::session::{self, Editor};
use crate::domain::Entity;
use crate::error::Result;
use crate::store::editing::Saved;

pub async fn edit_form(
    State(state): State<AppState>,
    Editor(_, viewer): Editor,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    let form = form_of(&state, &detail).await?.with_blank_rows(0);
    Ok(EventFormPage::new(&state, viewer.csrf, form, Some(&detail))
        .await?
        .into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Editor(user, viewer): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    fields: FormFields,
) -> Result<Response> {
    let detail = load(&state, id).await?;
    let mut form = EventForm::from_fields(&fields)?;
    let version = super::form::form_version(&form.version)?;
    let checked = validate(&state, &mut form, &fields).await?;
    let page = EventFormPage::new(&state, viewer.csrf, form, Some(&detail)).await?;
    let (mut page, fields) = match checked_or_again(page, checked) {
        Ok(checked) => checked,
        Err(again) => return Ok(*again),
    };
    let saved = match state
        .db
        .update_event(id, version, &fields, user.id, &page.form.edit_summary)
        .await
    {
        Ok(saved) => saved,
        Err(error) => return store_refusal(page, error),
    };
    match saved {
        Saved::Saved { version } => {
            tracing::info!(editor = %user.name, event = id, version, "event saved");
            session::set_notice(&session, "Saved.").await?;
            Ok(Redirect::to(&crate::paths::event_short(id)).into_response())
        }
        Saved::Conflict { current_version } => {
            let current = load(&state, id).await?;
            let saved_form = form_of(&state, &current).await?;
            let latest = state.db.revisions_of(Entity::Event, id).await?.into_iter().next();
            page.conflict = Some(conflict_view(&saved_form, &page.form, latest.as_ref()));
            // Saving again applies the editor's (merged) input over the newer version.
            page.form.version = current_version.to_string();
            page.form = std::mem::take(&mut page.form).with_blank_rows(0);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}
