//! The event form as an editor fills it in: every field as text, so that it can be shown
//! again exactly as typed, with rows for participants, sources and related events.

use super::AppState;
use super::extract::FormFields;
use crate::error::{Error, Result};
use crate::store::events::EventDetail;

/// Longest title accepted.
pub(super) const MAX_TITLE_CHARS: usize = 300;
/// Longest summary accepted (Markdown source).
pub(super) const MAX_SUMMARY_CHARS: usize = 20_000;
/// Longest tag accepted.
pub(super) const MAX_TAG_CHARS: usize = 60;

/// The form as submitted: every field as text, so that it can be shown again as typed.
#[derive(Debug, Clone, Default)]
pub struct EventForm {
    pub title: String,
    pub event_type: String,
    pub agreement_kind: String,
    pub date: String,
    pub date_note: String,
    /// When it was announced, signed and entered into force (EDTF).
    pub announced: String,
    pub signed: String,
    pub in_force: String,
    pub place: String,
    /// Why the editors give the place when no cited passage does.
    pub place_inference: String,
    /// Why the date note is the editors' inference.
    pub date_note_inference: String,
    pub location_country: String,
    pub summary: String,
    /// Comma-separated.
    pub tags: String,
    /// The editors' verification status (a [`crate::domain::Verification`]'s text), or
    /// empty for the one the sources give.
    pub verification: String,
    pub verification_reason: String,
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
    /// Why the editors name this participant when no cited passage does.
    pub inference: String,
    pub error: Option<String>,
}

impl ParticipantRow {
    pub(super) fn is_blank(&self) -> bool {
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
    /// How the editors hold the source's date: a [`crate::domain::Rank`]'s text.
    pub claimed_rank: String,
    /// Why the date has its rank.
    pub claimed_reason: String,
    pub note: String,
    /// What the source claims, one per line: `topic: value (according to who) [rank: why]`.
    pub claims: String,
    /// Ticked: delete this citation.
    pub remove: bool,
    pub error: Option<String>,
}

impl SourceRow {
    pub(super) fn is_blank(&self) -> bool {
        self.citation.is_empty()
            && [
                &self.outlet,
                &self.title,
                &self.url,
                &self.published,
                &self.passage,
                &self.claimed,
                &self.claimed_reason,
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
    /// Why the editors relate the events when no cited passage does.
    pub inference: String,
    pub error: Option<String>,
}

impl RelationRow {
    pub(super) fn is_blank(&self) -> bool {
        self.event.trim().is_empty() && self.note.trim().is_empty()
    }
}

/// Blank rows offered below the filled ones.
/// Most rows of each kind (participants, sources, related events) one save takes: more
/// than any real event has, few enough that checking them stays quick.
pub(super) const MAX_ROWS: usize = 100;
pub(super) const BLANK_PARTICIPANTS: usize = 2;
pub(super) const BLANK_SOURCES: usize = 1;

impl EventForm {
    /// Reads a submitted form; rows are aligned by position (every row sends each of
    /// its fields).
    pub(super) fn from_fields(fields: &FormFields) -> Result<EventForm> {
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
        // The inference came later: a form from before it saves without one.
        let optional = |name: &str, rows: usize| {
            let values = column(name);
            if values.len() == rows {
                Ok(values)
            } else if values.is_empty() {
                Ok(vec![String::new(); rows])
            } else {
                Err(Error::BadRequest(format!(
                    "The {name} fields of the form are malformed."
                )))
            }
        };
        let inferences = optional("p_inference", rows)?;
        let participants = (0..rows)
            .map(|i| ParticipantRow {
                actor: actors[i].clone(),
                role: roles[i].clone(),
                title: titles[i].clone(),
                kind: kinds[i].clone(),
                inference: inferences[i].clone(),
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
            "s_claimed_rank",
            "s_claimed_reason",
        ];
        let mut columns: Vec<Vec<String>> = names.iter().map(|name| column(name)).collect();
        let rows = columns[0].len();
        // The date's rank and reason came later: a form from before them (kept in a
        // browser across an update) saves with its dates preferred.
        for optional in &mut columns[9..] {
            if optional.is_empty() {
                *optional = vec![String::new(); rows];
            }
        }
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
        let relation_inferences = optional("r_inference", events.len())?;
        let relations = (0..events.len())
            .map(|i| RelationRow {
                event: events[i].clone(),
                relation: kinds[i].clone(),
                note: notes[i].clone(),
                inference: relation_inferences[i].clone(),
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
                claimed_rank: columns[9][i].clone(),
                claimed_reason: columns[10][i].clone(),
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
            announced: fields.one("announced"),
            signed: fields.one("signed"),
            in_force: fields.one("in_force"),
            place: fields.one("place"),
            place_inference: fields.one("place_inference"),
            date_note_inference: fields.one("date_note_inference"),
            location_country: fields.one("location_country"),
            summary: fields.one("summary"),
            tags: fields.one("tags"),
            verification: fields.one("verification"),
            verification_reason: fields.one("verification_reason"),
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
    pub(super) fn with_blank_rows(mut self, extra: usize) -> EventForm {
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

/// Claims as the form's text: one per line, `topic: value (according to who)`, ending
/// in `[alternative: why]` or `[deprecated: why]` for a claim not preferred (or
/// `[preferred: why]` when the editor gave a reason).
pub(super) fn claims_text(claims: &[crate::domain::Claim]) -> String {
    claims
        .iter()
        .map(|claim| {
            let mut line = format!("{}: {}", claim.topic, claim.value);
            if let Some(who) = &claim.attributed_to {
                line.push_str(&format!(" (according to {who})"));
            }
            // One line per claim: a reason written over several lines is joined.
            let reason = claim.rank_reason.split_whitespace().collect::<Vec<_>>().join(" ");
            match (claim.rank.is_preferred(), reason.is_empty()) {
                (true, true) => {}
                (_, true) => line.push_str(&format!(" [{}]", claim.rank)),
                (_, false) => line.push_str(&format!(" [{}: {reason}]", claim.rank)),
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The form's values for an existing event.
pub(super) async fn form_of(state: &AppState, detail: &EventDetail) -> Result<EventForm> {
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
        announced: event.announced_edtf.clone().unwrap_or_default(),
        signed: event.signed_edtf.clone().unwrap_or_default(),
        in_force: event.in_force_edtf.clone().unwrap_or_default(),
        place: event.place.clone().unwrap_or_default(),
        place_inference: event.place_inference.clone().unwrap_or_default(),
        date_note_inference: event.date_note_inference.clone().unwrap_or_default(),
        location_country,
        summary: event.summary.clone(),
        tags: detail.tags.join(", "),
        verification: event
            .verification
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default(),
        verification_reason: event.verification_reason.clone(),
        participants: detail
            .participants
            .iter()
            .map(|p| ParticipantRow {
                actor: format!("#{} {}", p.actor.id, p.actor.name),
                role: p.role.clone(),
                title: p.title.clone().unwrap_or_default(),
                kind: String::new(),
                inference: p.inference.clone().unwrap_or_default(),
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
                published: c.source.published.as_ref().map(|d| d.edtf()).unwrap_or_default(),
                passage: c.passage.clone(),
                claimed: c.claimed_date_edtf.clone().unwrap_or_default(),
                claimed_rank: c.claimed_date_rank.as_str().to_owned(),
                claimed_reason: c.claimed_date_rank_reason.clone(),
                note: c.note.clone(),
                claims: claims_text(&c.claims),
                remove: false,
                error: None,
            })
            .collect(),
        relations: state
            .db
            .outgoing_relations(event.id)
            .await?
            .into_iter()
            .map(|(to, relation, note, title, inference)| RelationRow {
                event: format!("#{to} {title}"),
                relation: relation.as_str().to_owned(),
                note,
                inference: inference.unwrap_or_default(),
                error: None,
            })
            .collect(),
        edit_summary: String::new(),
        version: event.version.to_string(),
        preview: false,
        more_rows: false,
    })
}
