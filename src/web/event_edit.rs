//! Editors' event forms: create a draft, edit an event, publish, retract and restore.
//! Validation happens on the server; errors are shown beside their fields with the
//! editor's input kept. An edit carries the version it was loaded from: saving over a
//! newer version shows a conflict page with the other change and the editor's own
//! input, so nothing is lost.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

use super::AppState;
use super::extract::{Form, FormFields, PathParams};
use super::session::{self, CSRF_FIELD, Editor};
use super::view::human_date;
use crate::dates::EventDate;
use crate::domain::{ActorKind, AgreementKind, Entity, EventType, RelationKind};
use crate::error::{Error, Result};
use crate::store::editing::{
    ActorChoice, CitationInput, CitationTarget, ClaimInput, ParticipantInput, RelationInput, SourceChoice,
};
use crate::store::editing::{EventFields, Saved, StatusChange};
use crate::store::events::EventDetail;
use crate::store::revisions::Revision;

/// Longest title accepted.
const MAX_TITLE_CHARS: usize = 300;
/// Longest summary accepted (Markdown source).
const MAX_SUMMARY_CHARS: usize = 20_000;
/// Longest tag accepted.
const MAX_TAG_CHARS: usize = 60;

/// The form as submitted: every field as text, so that it can be shown again as typed.
#[derive(Debug, Clone, Default)]
pub struct EventForm {
    pub title: String,
    pub event_type: String,
    pub agreement_kind: String,
    pub date: String,
    pub date_note: String,
    pub place: String,
    pub location_country: String,
    pub summary: String,
    /// Comma-separated.
    pub tags: String,
    /// Who took part, one row each (blank rows are ignored).
    pub participants: Vec<ParticipantRow>,
    /// The sources relied on, one row each (blank rows are ignored).
    pub sources: Vec<SourceRow>,
    /// Relations to other events, one row each (blank rows are ignored).
    pub relations: Vec<RelationRow>,
    /// The editor's note on what changed, kept with the revision.
    pub edit_summary: String,
    /// The version the form was loaded from (edits only).
    pub version: String,
    /// "Preview the date" was pressed: show, do not save.
    pub preview: bool,
    /// "More rows" was pressed: show blank rows, do not save.
    pub more_rows: bool,
}

/// One participant row of the form.
#[derive(Debug, Clone, Default)]
pub struct ParticipantRow {
    /// A name or alias in any script, or `#id`.
    pub actor: String,
    pub role: String,
    /// Title at the time ("Defense Minister").
    pub title: String,
    /// Empty for an existing actor; a kind to create a new one.
    pub kind: String,
    pub error: Option<String>,
}

impl ParticipantRow {
    fn is_blank(&self) -> bool {
        self.actor.trim().is_empty() && self.title.trim().is_empty() && self.kind.is_empty()
    }
}

/// One source row of the form: an existing citation (its source shown, its passage,
/// date and note editable) or a new one.
#[derive(Debug, Clone, Default)]
pub struct SourceRow {
    /// The citation's id, for existing rows.
    pub citation: String,
    pub outlet: String,
    pub title: String,
    pub url: String,
    pub published: String,
    pub passage: String,
    pub claimed: String,
    pub note: String,
    /// What the source claims, one per line: `topic: value (according to who)`.
    pub claims: String,
    /// Ticked: delete this citation.
    pub remove: bool,
    pub error: Option<String>,
}

impl SourceRow {
    fn is_blank(&self) -> bool {
        self.citation.is_empty()
            && [
                &self.outlet,
                &self.title,
                &self.url,
                &self.published,
                &self.passage,
                &self.claimed,
                &self.note,
                &self.claims,
            ]
            .iter()
            .all(|v| v.trim().is_empty())
    }
}

/// One relation row: "this event <relation> that event".
#[derive(Debug, Clone, Default)]
pub struct RelationRow {
    /// The other event: `#id`, its number, or its address.
    pub event: String,
    pub relation: String,
    pub note: String,
    pub error: Option<String>,
}

impl RelationRow {
    fn is_blank(&self) -> bool {
        self.event.trim().is_empty() && self.note.trim().is_empty()
    }
}

/// Blank rows offered below the filled ones.
const BLANK_PARTICIPANTS: usize = 2;
const BLANK_SOURCES: usize = 1;

impl EventForm {
    /// Reads a submitted form; rows are aligned by position (every row sends each of
    /// its fields).
    fn from_fields(fields: &FormFields) -> Result<EventForm> {
        if !fields.has("rows") {
            return Err(Error::BadRequest(
                "This form is incomplete (it has no participant and source rows); reload it.".to_owned(),
            ));
        }
        let column = |name: &str| fields.all(name);
        let (actors, roles, titles, kinds) = (
            column("p_actor"),
            column("p_role"),
            column("p_title"),
            column("p_kind"),
        );
        let rows = actors.len();
        if roles.len() != rows || titles.len() != rows || kinds.len() != rows {
            return Err(Error::BadRequest(
                "The participant rows of the form are malformed.".to_owned(),
            ));
        }
        let participants = (0..rows)
            .map(|i| ParticipantRow {
                actor: actors[i].clone(),
                role: roles[i].clone(),
                title: titles[i].clone(),
                kind: kinds[i].clone(),
                error: None,
            })
            .collect();
        let names = [
            "s_citation",
            "s_outlet",
            "s_title",
            "s_url",
            "s_published",
            "s_passage",
            "s_claimed",
            "s_note",
            "s_claims",
        ];
        let columns: Vec<Vec<String>> = names.iter().map(|name| column(name)).collect();
        let rows = columns[0].len();
        if columns.iter().any(|c| c.len() != rows) {
            return Err(Error::BadRequest(
                "The source rows of the form are malformed.".to_owned(),
            ));
        }
        let (events, kinds, notes) = (column("r_event"), column("r_relation"), column("r_note"));
        if kinds.len() != events.len() || notes.len() != events.len() {
            return Err(Error::BadRequest(
                "The relation rows of the form are malformed.".to_owned(),
            ));
        }
        let relations = (0..events.len())
            .map(|i| RelationRow {
                event: events[i].clone(),
                relation: kinds[i].clone(),
                note: notes[i].clone(),
                error: None,
            })
            .collect();
        let removed = column("s_remove");
        let sources = (0..rows)
            .map(|i| SourceRow {
                citation: columns[0][i].clone(),
                outlet: columns[1][i].clone(),
                title: columns[2][i].clone(),
                url: columns[3][i].clone(),
                published: columns[4][i].clone(),
                passage: columns[5][i].clone(),
                claimed: columns[6][i].clone(),
                note: columns[7][i].clone(),
                claims: columns[8][i].clone(),
                remove: !columns[0][i].is_empty() && removed.contains(&columns[0][i]),
                error: None,
            })
            .collect();
        Ok(EventForm {
            title: fields.one("title"),
            event_type: fields.one("event_type"),
            agreement_kind: fields.one("agreement_kind"),
            date: fields.one("date"),
            date_note: fields.one("date_note"),
            place: fields.one("place"),
            location_country: fields.one("location_country"),
            summary: fields.one("summary"),
            tags: fields.one("tags"),
            participants,
            sources,
            relations,
            edit_summary: fields.one("edit_summary"),
            version: fields.one("version"),
            preview: fields.has("preview"),
            more_rows: fields.has("more_rows"),
        })
    }

    /// Drops blank rows, then adds the blank rows the form offers.
    fn with_blank_rows(mut self, extra: usize) -> EventForm {
        self.participants.retain(|row| !row.is_blank());
        self.sources.retain(|row| !row.is_blank());
        let participants = BLANK_PARTICIPANTS + 2 * extra;
        self.participants
            .extend((0..participants).map(|_| ParticipantRow {
                role: "participant".to_owned(),
                ..ParticipantRow::default()
            }));
        self.sources
            .extend((0..BLANK_SOURCES + extra).map(|_| SourceRow::default()));
        self.relations.retain(|row| !row.is_blank());
        self.relations.extend((0..1 + extra).map(|_| RelationRow {
            relation: "related_to".to_owned(),
            ..RelationRow::default()
        }));
        self
    }
}

/// A refused field: its id in the form and what to do about it.
#[derive(Debug, Clone)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

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

pub struct SelectOption {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "event_form.html")]
pub struct EventFormPage {
    heading: String,
    action: String,
    /// The event's permalink, when editing.
    event_url: Option<String>,
    history_url: String,
    form: EventForm,
    errors: Vec<FieldError>,
    date_preview: Option<DatePreview>,
    types: Vec<SelectOption>,
    kinds: Vec<SelectOption>,
    countries: Vec<SelectOption>,
    /// Kinds a new actor can have.
    actor_kinds: Vec<SelectOption>,
    /// Kinds of relation between events.
    relation_kinds: Vec<SelectOption>,
    csrf: String,
    csrf_field: &'static str,
    conflict: Option<ConflictView>,
}

impl EventFormPage {
    /// The message for a field, if it was refused.
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    async fn new(
        state: &AppState,
        csrf: String,
        form: EventForm,
        existing: Option<&EventDetail>,
    ) -> Result<EventFormPage> {
        let countries = state.db.countries().await?;
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
            csrf,
            csrf_field: CSRF_FIELD,
            conflict: None,
        })
    }
}

/// The form's values for an existing event.
async fn form_of(state: &AppState, detail: &EventDetail) -> Result<EventForm> {
    let event = &detail.event;
    let location_country = match event.location_country_id {
        Some(id) => state.db.country_iso(id).await?.unwrap_or_default(),
        None => String::new(),
    };
    Ok(EventForm {
        title: event.title.clone(),
        event_type: event.event_type.as_str().to_owned(),
        agreement_kind: event
            .agreement_kind
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default(),
        date: event.date_edtf.clone(),
        date_note: event.date_note.clone(),
        place: event.place.clone().unwrap_or_default(),
        location_country,
        summary: event.summary.clone(),
        tags: detail.tags.join(", "),
        participants: detail
            .participants
            .iter()
            .map(|p| ParticipantRow {
                actor: format!("#{} {}", p.actor.id, p.actor.name),
                role: p.role.clone(),
                title: p.title.clone().unwrap_or_default(),
                kind: String::new(),
                error: None,
            })
            .collect(),
        sources: detail
            .citations
            .iter()
            .map(|c| SourceRow {
                citation: c.id.to_string(),
                outlet: c.source.outlet.clone(),
                title: c.source.title.clone(),
                url: c.source.url.clone().unwrap_or_default(),
                published: c.source.published_edtf.clone().unwrap_or_default(),
                passage: c.passage.clone(),
                claimed: c.claimed_date_edtf.clone().unwrap_or_default(),
                note: c.note.clone(),
                claims: c
                    .claims
                    .iter()
                    .map(|claim| match &claim.attributed_to {
                        Some(who) => format!("{}: {} (according to {who})", claim.topic, claim.value),
                        None => format!("{}: {}", claim.topic, claim.value),
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                remove: false,
                error: None,
            })
            .collect(),
        relations: state
            .db
            .outgoing_relations(event.id)
            .await?
            .into_iter()
            .map(|(to, relation, note, title)| RelationRow {
                event: format!("#{to} {title}"),
                relation: relation.as_str().to_owned(),
                note,
                error: None,
            })
            .collect(),
        edit_summary: String::new(),
        version: event.version.to_string(),
        preview: false,
        more_rows: false,
    })
}

/// Checks every field; all problems are reported at once.
async fn validate(state: &AppState, form: &mut EventForm) -> Result<Result<EventFields, Vec<FieldError>>> {
    let (participants, mut errors) = check_participants(state, &mut form.participants).await?;
    let (citations, removed_citations, source_errors) = check_sources(state, &mut form.sources).await?;
    errors.extend(source_errors);
    let (relations, relation_errors) = check_relations(state, &mut form.relations).await?;
    errors.extend(relation_errors);
    let mut refuse = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.to_owned(),
            message,
        })
    };
    let title = form.title.trim();
    if title.is_empty() {
        refuse("title", "Give the event a title.".to_owned());
    } else if title.chars().count() > MAX_TITLE_CHARS {
        refuse(
            "title",
            format!("Keep the title under {MAX_TITLE_CHARS} characters."),
        );
    }
    let event_type = EventType::parse(&form.event_type);
    if event_type.is_none() {
        refuse("event_type", "Choose the type of event.".to_owned());
    }
    let kind = form.agreement_kind.trim();
    let agreement_kind = AgreementKind::parse(kind);
    if !kind.is_empty() {
        if event_type != Some(EventType::Agreement) {
            refuse(
                "agreement_kind",
                "Only agreements have a kind; leave it empty or choose the type Agreement.".to_owned(),
            );
        } else if agreement_kind.is_none() {
            refuse(
                "agreement_kind",
                "Choose a kind of agreement from the list.".to_owned(),
            );
        }
    }
    let date = if form.date.trim().is_empty() {
        refuse(
            "date",
            "Give the date as far as it is known: 2023, 2023-05, 2023-07-31, a range such as \
             2023-06/2023-07-31, or 2023-05~ when approximate."
                .to_owned(),
        );
        None
    } else {
        match EventDate::parse(&form.date) {
            Ok(date) => Some(date),
            Err(e) => {
                refuse("date", e.to_string());
                None
            }
        }
    };
    let location_country_id = match form.location_country.trim() {
        "" => None,
        iso => {
            let id = state.db.country_by_iso(iso).await?;
            if id.is_none() {
                refuse(
                    "location_country",
                    format!("There is no country with the code “{iso}”."),
                );
            }
            id
        }
    };
    if form.summary.chars().count() > MAX_SUMMARY_CHARS {
        refuse(
            "summary",
            format!("Keep the summary under {MAX_SUMMARY_CHARS} characters."),
        );
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in form
        .tags
        .split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        if tag.chars().count() > MAX_TAG_CHARS {
            refuse(
                "tags",
                format!("“{tag}” is too long for a tag (at most {MAX_TAG_CHARS} characters)."),
            );
        } else if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    match (date, event_type) {
        (Some(date), Some(event_type)) if errors.is_empty() => Ok(Ok(EventFields {
            title: title.to_owned(),
            event_type,
            agreement_kind,
            date,
            date_note: form.date_note.trim().to_owned(),
            place: Some(form.place.trim().to_owned()).filter(|p| !p.is_empty()),
            location_country_id,
            summary: form.summary.trim().to_owned(),
            tags,
            participants,
            citations,
            removed_citations,
            relations,
        })),
        _ => Ok(Err(errors)),
    }
}

/// Resolves each participant row to an actor: `#id`, or a name or alias in any script
/// that names exactly one actor, or a new actor when a kind is chosen. A row's problem is
/// shown beside it.
async fn check_participants(
    state: &AppState,
    rows: &mut [ParticipantRow],
) -> Result<(Vec<ParticipantInput>, Vec<FieldError>)> {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if row.is_blank() {
            continue;
        }
        let text = row.actor.trim();
        let by_id = text
            .strip_prefix('#')
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|id| id.parse::<i64>().ok());
        let choice = if text.is_empty() {
            Err("Name the actor, or leave the row empty.".to_owned())
        } else if !row.kind.is_empty() {
            match ActorKind::parse(&row.kind) {
                None => Err("Choose the kind of the new actor from the list.".to_owned()),
                Some(kind) => {
                    let same: Vec<_> = state
                        .db
                        .find_actors(text)
                        .await?
                        .into_iter()
                        .filter(|a| crate::store::fold(&a.name) == crate::store::fold(text))
                        .collect();
                    match same.first() {
                        Some(existing) => Err(format!(
                            "An actor called “{}” exists already (#{}): leave “new” unset to use it.",
                            existing.name, existing.id
                        )),
                        None => Ok(ActorChoice::New {
                            kind,
                            name: text.to_owned(),
                        }),
                    }
                }
            }
        } else if let Some(id) = by_id {
            match state.db.actor_ref(id).await? {
                Some(_) => Ok(ActorChoice::Existing(id)),
                // An actor merged since the form was loaded: the one it became.
                None => match state.db.actor_redirect(id).await? {
                    Some(new_id) => Ok(ActorChoice::Existing(new_id)),
                    None => Err(format!("There is no actor #{id}.")),
                },
            }
        } else {
            let found = state.db.find_actors(text).await?;
            match found.as_slice() {
                [one] => {
                    // Shown again as the actor it resolved to, so a re-shown form is exact.
                    row.actor = format!("#{} {}", one.id, one.name);
                    Ok(ActorChoice::Existing(one.id))
                }
                [] => Err(format!(
                    "No actor is called “{text}” in any spelling entente knows. To add one, \
                     choose its kind under “New?”."
                )),
                many => Err(format!(
                    "“{text}” matches several actors: {}. Type the number of the one you mean \
                     (such as #{}).",
                    many.iter()
                        .take(8)
                        .map(|a| format!("{} (#{})", a.name, a.id))
                        .collect::<Vec<_>>()
                        .join(", "),
                    many[0].id
                )),
            }
        };
        let role = row.role.trim();
        let choice = choice.and_then(|choice| {
            if role.is_empty() {
                Err("Give the actor's role (participant, host, signatory…).".to_owned())
            } else {
                Ok(choice)
            }
        });
        match choice {
            Ok(actor) => {
                let duplicate = inputs
                    .iter()
                    .any(|p: &ParticipantInput| p.actor == actor && p.role == role);
                if !duplicate {
                    inputs.push(ParticipantInput {
                        actor,
                        role: role.to_owned(),
                        title: Some(row.title.trim().to_owned()).filter(|t| !t.is_empty()),
                    });
                }
            }
            Err(message) => {
                row.error = Some(message.clone());
                errors.push(FieldError {
                    field: format!("p-{i}-actor"),
                    message: format!("Participant {}: {message}", i + 1),
                });
            }
        }
    }
    Ok((inputs, errors))
}

/// Checks each source row: existing citations keep their source and may change their
/// passage, date and note (or be removed); new ones need an outlet, a title and the
/// passage relied on, and reuse a known source with the same address (or outlet and
/// title).
async fn check_sources(
    state: &AppState,
    rows: &mut [SourceRow],
) -> Result<(Vec<CitationInput>, Vec<i64>, Vec<FieldError>)> {
    let mut inputs = Vec::new();
    let mut removed = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if row.is_blank() {
            continue;
        }
        let citation_id = match row.citation.trim() {
            "" => None,
            id => Some(
                id.parse::<i64>()
                    .map_err(|_| Error::BadRequest("A source row of the form is malformed.".to_owned()))?,
            ),
        };
        if row.remove {
            if let Some(id) = citation_id {
                removed.push(id);
            }
            continue;
        }
        let mut problems = Vec::new();
        let claimed_date = match row.claimed.trim() {
            "" => None,
            text => match EventDate::parse(text) {
                Ok(date) => Some(date),
                Err(e) => {
                    problems.push(format!("its date for the event: {e}"));
                    None
                }
            },
        };
        let target = match citation_id {
            Some(id) => Some(CitationTarget::Existing(id)),
            None => {
                let outlet = row.outlet.trim();
                let title = row.title.trim();
                let url = Some(row.url.trim()).filter(|u| !u.is_empty());
                if outlet.is_empty() {
                    problems.push("name the outlet (BelTA, IRNA, The Cradle…)".to_owned());
                }
                if title.is_empty() {
                    problems.push("give the title of the article or document".to_owned());
                }
                if url.is_some() && super::view::web_link(url).is_none() {
                    problems.push("the address must start with http:// or https://".to_owned());
                }
                if row.passage.trim().is_empty() {
                    problems.push("quote the passage the event relies on".to_owned());
                }
                let published = match row.published.trim() {
                    "" => None,
                    text => match EventDate::parse(text) {
                        Ok(date) => Some(date),
                        Err(e) => {
                            problems.push(format!("its publication date: {e}"));
                            None
                        }
                    },
                };
                let source = match state.db.find_source(url, outlet, title).await? {
                    Some(id) => SourceChoice::Existing(id),
                    None => SourceChoice::New {
                        outlet: outlet.to_owned(),
                        title: title.to_owned(),
                        url: url.map(str::to_owned),
                        published,
                    },
                };
                Some(CitationTarget::New(source))
            }
        };
        let mut claims = Vec::new();
        for (n, line) in row
            .claims
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            match parse_claim(line) {
                Some(claim) => claims.push(claim),
                None => problems.push(format!(
                    "claim {} (“{line}”) needs the form topic: value, optionally followed by \
                     (according to who)",
                    n + 1
                )),
            }
        }
        if let (true, Some(target)) = (problems.is_empty(), target) {
            inputs.push(CitationInput {
                claims,
                target,
                passage: row.passage.trim().to_owned(),
                claimed_date,
                note: row.note.trim().to_owned(),
            });
        } else {
            let message = format!("Source {}: {}.", i + 1, problems.join("; "));
            row.error = Some(message.clone());
            errors.push(FieldError {
                field: format!("s-{i}-outlet"),
                message,
            });
        }
    }
    Ok((inputs, removed, errors))
}

/// Resolves each relation row to an event: `#12`, `12` or an address `/events/12/…`.
async fn check_relations(
    state: &AppState,
    rows: &mut [RelationRow],
) -> Result<(Vec<RelationInput>, Vec<FieldError>)> {
    let mut inputs: Vec<RelationInput> = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.iter_mut().enumerate() {
        if row.is_blank() {
            continue;
        }
        let text = row.event.trim();
        let number = crate::paths::event_id_in(text);
        let outcome = match number {
            None => Err(format!(
                "give the other event as #number or paste its address (“{text}” is neither)"
            )),
            Some(id) if !state.db.event_exists(id).await? => Err(format!("there is no event #{id}")),
            Some(id) => RelationKind::parse(&row.relation)
                .map(|relation| (id, relation))
                .ok_or_else(|| "choose how the events are related".to_owned()),
        };
        match outcome {
            Ok((to, relation)) => {
                if !inputs.iter().any(|r| r.to == to && r.relation == relation) {
                    inputs.push(RelationInput {
                        to,
                        relation,
                        note: row.note.trim().to_owned(),
                    });
                }
            }
            Err(message) => {
                let message = format!("Related event {}: {message}.", i + 1);
                row.error = Some(message.clone());
                errors.push(FieldError {
                    field: format!("r-{i}-event"),
                    message,
                });
            }
        }
    }
    Ok((inputs, errors))
}

/// Reads one claim line: `topic: value`, optionally ending in `(according to who)`.
fn parse_claim(line: &str) -> Option<ClaimInput> {
    let (topic, rest) = line.split_once(':')?;
    let (value, attributed_to) = match rest
        .trim()
        .strip_suffix(')')
        .and_then(|r| r.rsplit_once("(according to "))
    {
        Some((value, who)) => (
            value.trim(),
            Some(who.trim().to_owned()).filter(|w| !w.is_empty()),
        ),
        None => (rest.trim(), None),
    };
    (!topic.trim().is_empty() && !value.is_empty()).then(|| ClaimInput {
        topic: topic.trim().to_owned(),
        value: value.to_owned(),
        attributed_to,
    })
}

fn preview_of(text: &str) -> Option<DatePreview> {
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

/// Shows the form again: with errors (422), or with the date preview or the extra rows
/// asked for (200).
/// A save the store refused although the form was valid when checked (a source removed
/// by another editor, an actor merged meanwhile): the form again, with the message at
/// the top and everything typed kept. Other errors stay errors.
fn store_refusal(page: EventFormPage, error: Error) -> Result<Response> {
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

fn form_again(mut page: EventFormPage, errors: Vec<FieldError>) -> Response {
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
    let checked = validate(&state, &mut form).await?;
    let show_only = form.preview || form.more_rows;
    let page = EventFormPage::new(&state, viewer.csrf, form, None).await?;
    let fields = match checked {
        _ if show_only => return Ok(form_again(page, Vec::new())),
        Ok(fields) => fields,
        Err(errors) => return Ok(form_again(page, errors)),
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

pub(super) async fn load(state: &AppState, id: i64) -> Result<EventDetail> {
    state.db.event(id).await?.ok_or(Error::NotFound)
}

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
    let version = super::extract::form_version(&form.version)?;
    let checked = validate(&state, &mut form).await?;
    let show_only = form.preview || form.more_rows;
    let mut page = EventFormPage::new(&state, viewer.csrf, form, Some(&detail)).await?;
    let fields = match checked {
        _ if show_only => return Ok(form_again(page, Vec::new())),
        Ok(fields) => fields,
        Err(errors) => return Ok(form_again(page, errors)),
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

fn conflict_view(saved: &EventForm, yours: &EventForm, latest: Option<&Revision>) -> ConflictView {
    let (saved_people, your_people) = (participants_text(saved), participants_text(yours));
    let (saved_sources, your_sources) = (sources_text(saved), sources_text(yours));
    let (saved_relations, your_relations) = (relations_text(saved), relations_text(yours));
    let pairs: [(&'static str, &String, &String); 12] = [
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
            .map(|r| r.created_at.replace('T', " ").replace('Z', " UTC"))
            .unwrap_or_default(),
        summary: latest.map(|r| r.summary.clone()).unwrap_or_default(),
        differences: pairs
            .into_iter()
            .filter(|(_, a, b)| a.trim() != b.trim())
            .map(|(label, a, b)| (label, a.clone(), b.clone()))
            .collect(),
    }
}

/// The participant rows as one line each, for comparing two versions.
fn participants_text(form: &EventForm) -> String {
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
fn relations_text(form: &EventForm) -> String {
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
fn sources_text(form: &EventForm) -> String {
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

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// Publish, unpublish, retract (with a reason) or restore.
pub async fn change_status(
    State(state): State<AppState>,
    Editor(user, _): Editor,
    session: Session,
    PathParams(id): PathParams<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response> {
    let change = StatusChange::parse(&form.action)
        .ok_or_else(|| Error::BadRequest(format!("“{}” is not a status change.", form.action)))?;
    let version = super::extract::form_version(&form.version)?;
    if change == StatusChange::Retract && form.reason.trim().is_empty() {
        return Err(Error::Invalid(
            "Say why the event is retracted: readers are shown the reason.".to_owned(),
        ));
    }
    match state
        .db
        .change_event_status(id, version, change, &form.reason, user.id)
        .await?
    {
        Saved::Saved { .. } => {
            tracing::info!(editor = %user.name, event = id, action = change.action().as_str(), "status changed");
            let notice = match change {
                StatusChange::Publish => "Published: readers can see it now.",
                StatusChange::Unpublish => "Unpublished: back to a draft, hidden from readers.",
                StatusChange::Retract => "Retracted: readers see only that it was withdrawn, and why.",
                StatusChange::Restore => "Restored as a draft: check it, then publish it again.",
            };
            session::set_notice(&session, notice).await?;
            Ok(Redirect::to(&crate::paths::event_short(id)).into_response())
        }
        Saved::Conflict { .. } => Err(Error::Conflict(
            "Someone changed this event after you loaded the page. Reload it, check the \
             change, and try again."
                .to_owned(),
        )),
    }
}
