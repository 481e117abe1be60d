//! The event form page shared by creating and editing: the template, the date preview,
//! showing the form again with errors, and the conflict view.
//! Validation happens on the server; errors are shown beside their fields with the
//! editor's input kept. An edit carries the version it was loaded from: saving over a
//! newer version shows a conflict page with the other change and the editor's own
//! input, so nothing is lost.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::event_form::{EventForm, FieldError};
use super::form::SelectOption;
use super::session::CSRF_FIELD;
use super::view::human_date;
use crate::dates::EventDate;
use crate::domain::edit::EventFields;
use crate::domain::{ActorKind, AgreementKind, Entity, EventType, RelationKind};
use crate::error::{Error, Result};
use crate::store::events::EventDetail;
use crate::store::revisions::Revision;

/// How a date will read on the timeline.
pub struct DatePreview {
    pub display: String,
    pub precision: &'static str,
    pub range: String,
}

/// Another editor's save that came between loading and saving the form.
pub struct ConflictView {
    pub editor: String,
    pub at: String,
    pub summary: String,
    /// Fields whose saved value differs from the editor's: (label, saved, yours).
    pub differences: Vec<(&'static str, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_form.html")]
pub struct EventFormPage {
    pub(super) heading: String,
    pub(super) action: String,
    /// The event's permalink, when editing.
    pub(super) event_url: Option<String>,
    pub(super) history_url: String,
    pub(super) form: EventForm,
    pub(super) errors: Vec<FieldError>,
    pub(super) date_preview: Option<DatePreview>,
    pub(super) types: Vec<SelectOption>,
    pub(super) kinds: Vec<SelectOption>,
    pub(super) countries: Vec<SelectOption>,
    /// Kinds a new actor can have.
    pub(super) actor_kinds: Vec<SelectOption>,
    /// Kinds of relation between events.
    pub(super) relation_kinds: Vec<SelectOption>,
    /// Ranks of a source's date for the event.
    pub(super) ranks: Vec<SelectOption>,
    /// Verification statuses an editor may set.
    pub(super) verifications: Vec<SelectOption>,
    /// The status the sources give the event now (an existing event).
    pub(super) derived_verification: Option<&'static str>,
    pub(super) csrf: String,
    pub(super) csrf_field: &'static str,
    pub(super) conflict: Option<ConflictView>,
}

impl EventFormPage {
    /// The further dates' fields: (name, label, value).
    pub(super) fn further_dates(&self) -> [(&'static str, &'static str, &str); 3] {
        [
            ("announced", "Announced", &self.form.announced),
            ("signed", "Signed", &self.form.signed),
            ("in_force", "Entered into force", &self.form.in_force),
        ]
    }

    /// The message for a field, if it was refused.
    pub(super) fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub(super) async fn new(
        state: &AppState,
        csrf: String,
        form: EventForm,
        existing: Option<&EventDetail>,
    ) -> Result<EventFormPage> {
        let countries = state.db.countries(true).await?;
        let (heading, action, event_url, history_url) = match existing {
            Some(detail) => (
                format!("Edit “{}”", detail.event.title),
                crate::paths::event_edit(detail.event.id),
                Some(crate::paths::event(detail.event.id, &detail.event.slug)),
                crate::paths::history(Entity::Event, detail.event.id),
            ),
            None => (
                "New event".to_owned(),
                crate::paths::event_new().to_owned(),
                None,
                String::new(),
            ),
        };
        Ok(EventFormPage {
            heading,
            history_url,
            action,
            event_url,
            form,
            errors: Vec::new(),
            date_preview: None,
            types: EventType::ALL
                .iter()
                .map(|t| SelectOption {
                    value: t.as_str().to_owned(),
                    label: t.label().to_owned(),
                })
                .collect(),
            kinds: AgreementKind::ALL
                .iter()
                .map(|k| SelectOption {
                    value: k.as_str().to_owned(),
                    label: k.label().to_owned(),
                })
                .collect(),
            countries: countries
                .into_iter()
                .map(|(iso, name)| SelectOption {
                    value: iso,
                    label: name,
                })
                .collect(),
            actor_kinds: ActorKind::ALL
                .iter()
                .map(|k| SelectOption {
                    value: k.as_str().to_owned(),
                    label: format!("new {}", k.label().to_lowercase()),
                })
                .collect(),
            relation_kinds: RelationKind::ALL
                .iter()
                .map(|k| SelectOption {
                    value: k.as_str().to_owned(),
                    label: k.label().to_lowercase(),
                })
                .collect(),
            verifications: crate::domain::Verification::ALL
                .iter()
                .map(|v| SelectOption {
                    value: v.as_str().to_owned(),
                    label: v.label().to_owned(),
                })
                .collect(),
            derived_verification: existing.map(|d| d.derived_verification.label()),
            ranks: crate::domain::Rank::ALL
                .iter()
                .map(|r| SelectOption {
                    value: r.as_str().to_owned(),
                    label: r.label().to_lowercase(),
                })
                .collect(),
            csrf,
            csrf_field: CSRF_FIELD,
            conflict: None,
        })
    }
}

/// How a date typed in the form will read, when it parses.
pub(super) fn preview_of(text: &str) -> Option<DatePreview> {
    let date = EventDate::parse(text).ok()?;
    Some(DatePreview {
        display: human_date(&date.edtf()),
        precision: date.precision().label(),
        range: format!(
            "from {} to {}",
            crate::dates::iso_day(date.earliest()),
            crate::dates::iso_day(date.latest())
        ),
    })
}

/// What a submitted event form leads to before any save: the form again for a date
/// preview (with the date's problem, worded as Save would word it, beside the field),
/// for more rows, or with the problems found; otherwise the checked fields, to save.
pub(super) fn checked_or_again(
    page: EventFormPage,
    checked: std::result::Result<EventFields, Vec<FieldError>>,
) -> std::result::Result<(EventFormPage, EventFields), Box<Response>> {
    let (preview, more_rows) = (page.form.preview, page.form.more_rows);
    match checked {
        _ if more_rows => Err(Box::new(form_again(page, Vec::new()))),
        Err(errors) if preview => {
            let date_errors = errors.into_iter().filter(|e| e.field == "date").collect();
            Err(Box::new(form_again(page, date_errors)))
        }
        Ok(_) if preview => Err(Box::new(form_again(page, Vec::new()))),
        Err(errors) => Err(Box::new(form_again(page, errors))),
        Ok(fields) => Ok((page, fields)),
    }
}

/// A save the store refused although the form was valid when checked (a source removed
/// by another editor, an actor merged meanwhile): the form again, with the message at
/// the top and everything typed kept. Other errors stay errors.
pub(super) fn store_refusal(page: EventFormPage, error: Error) -> Result<Response> {
    match error {
        Error::Invalid(message) | Error::Conflict(message) => {
            let errors = vec![FieldError {
                field: String::new(),
                message,
            }];
            Ok(form_again(page, errors))
        }
        other => Err(other),
    }
}

/// Shows the form again: with errors (422), or with the date preview or the extra rows
/// asked for (200).
pub(super) fn form_again(mut page: EventFormPage, errors: Vec<FieldError>) -> Response {
    page.date_preview = preview_of(&page.form.date);
    let extra = usize::from(page.form.more_rows);
    page.form = std::mem::take(&mut page.form).with_blank_rows(extra);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.errors = errors;
    (status, page).into_response()
}

pub(super) async fn load(state: &AppState, id: i64) -> Result<EventDetail> {
    state.db.event(id).await?.ok_or(Error::NotFound)
}

pub(super) fn conflict_view(saved: &EventForm, yours: &EventForm, latest: Option<&Revision>) -> ConflictView {
    let (saved_people, your_people) = (participants_text(saved), participants_text(yours));
    let (saved_sources, your_sources) = (sources_text(saved), sources_text(yours));
    let (saved_relations, your_relations) = (relations_text(saved), relations_text(yours));
    let pairs: [(&'static str, &str, &str); 12] = [
        ("Title", &saved.title, &yours.title),
        ("Type", &saved.event_type, &yours.event_type),
        ("Kind of agreement", &saved.agreement_kind, &yours.agreement_kind),
        ("Date", &saved.date, &yours.date),
        ("How the date was established", &saved.date_note, &yours.date_note),
        ("Place", &saved.place, &yours.place),
        (
            "Country of the place",
            &saved.location_country,
            &yours.location_country,
        ),
        ("Summary", &saved.summary, &yours.summary),
        ("Tags", &saved.tags, &yours.tags),
        ("Participants", &saved_people, &your_people),
        ("Sources", &saved_sources, &your_sources),
        ("Related events", &saved_relations, &your_relations),
    ];
    ConflictView {
        editor: latest
            .and_then(|r| r.editor.clone())
            .unwrap_or_else(|| "another editor".to_owned()),
        at: latest
            .map(|r| super::view::timestamp(&r.created_at))
            .unwrap_or_default(),
        summary: latest.map(|r| r.summary.clone()).unwrap_or_default(),
        differences: super::form::differences(&pairs),
    }
}

/// The participant rows as one line each, for comparing two versions.
pub(super) fn participants_text(form: &EventForm) -> String {
    form.participants
        .iter()
        .filter(|row| !row.is_blank())
        .map(|row| {
            let name = row.actor.trim();
            // "#12 Name" and "Name" are the same actor to a reader of the comparison.
            let name = match name.strip_prefix('#') {
                Some(rest) => rest.split_once(' ').map_or(rest, |(_, n)| n),
                None => name,
            };
            let title = Some(row.title.trim()).filter(|t| !t.is_empty());
            match title {
                Some(title) => format!("{name} ({}, {title})", row.role.trim()),
                None => format!("{name} ({})", row.role.trim()),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The relation rows as one line each.
pub(super) fn relations_text(form: &EventForm) -> String {
    form.relations
        .iter()
        .filter(|row| !row.is_blank())
        .map(|row| {
            let relation = RelationKind::parse(&row.relation).map_or(row.relation.as_str(), |r| r.label());
            format!("{relation}: {}", row.event.trim())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The source rows as one line each: outlet, title and passage.
pub(super) fn sources_text(form: &EventForm) -> String {
    form.sources
        .iter()
        .filter(|row| !row.is_blank() && !row.remove)
        .map(|row| {
            format!(
                "{}: {} — “{}”",
                row.outlet.trim(),
                row.title.trim(),
                row.passage.trim()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
