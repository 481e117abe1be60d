//! What an editor asks to save: an event's fields from the form, validated, with each
//! participant, source and relation either one entente knows (by id) or one to create;
//! and the publication status changes. The store writes them (`store::editing`).

use crate::dates::EventDate;
use crate::domain::records::KeyDates;
use crate::domain::{
    ActorKind, AgreementKind, Claim, EventStatus, EventType, Rank, RelationKind, RevisionAction, Verification,
};

/// The event's own fields as an editor sets them in the form, validated.
#[derive(Debug, Clone)]
pub struct EventFields {
    pub title: String,
    pub event_type: EventType,
    pub agreement_kind: Option<AgreementKind>,
    pub date: EventDate,
    pub date_note: String,
    /// Announced, signed, entered into force.
    pub key_dates: KeyDates,
    pub place: Option<String>,
    /// Why the editors give the place when no cited passage does.
    pub place_inference: Option<String>,
    /// Why the date note is the editors' inference, when no cited passage supports it.
    pub date_note_inference: Option<String>,
    pub location_country_id: Option<i64>,
    pub summary: String,
    pub tags: Vec<String>,
    /// Who took part, in order; replaces the event's participants.
    pub participants: Vec<ParticipantInput>,
    /// The sources relied on, in order: existing citations are updated in place (their
    /// claims stay), new ones added.
    pub citations: Vec<CitationInput>,
    /// Citations of the event to delete.
    pub removed_citations: Vec<i64>,
    /// "This event <relation> that event", recorded on this event; replaces them.
    pub relations: Vec<RelationInput>,
    /// The editors' verification status, overriding the one the sources give.
    pub verification: Option<Verification>,
    /// Why the editors override it.
    pub verification_reason: String,
}

/// A relation from the event being saved to another.
#[derive(Debug, Clone, PartialEq)]
pub struct RelationInput {
    pub to: i64,
    pub relation: RelationKind,
    pub note: String,
    /// Why the editors relate the events when no cited passage does.
    pub inference: Option<String>,
}

/// A relation recorded on an event, whatever the other event's status: (other event's
/// id, relation, note, other event's title, the editors' inference).
pub type OutgoingRelation = (i64, RelationKind, String, String, Option<String>);

/// An actor's part in an event, as the form gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantInput {
    pub actor: ActorChoice,
    pub role: String,
    pub title: Option<String>,
    /// Why the editors name this participant when no cited passage does.
    pub inference: Option<String>,
}

/// An actor found by name, alias or id, or one to create.
#[derive(Debug, Clone, PartialEq)]
pub enum ActorChoice {
    Existing(i64),
    New { kind: ActorKind, name: String },
}

/// A source relied on, with the passage and the source's own date for the event.
#[derive(Debug, Clone, PartialEq)]
pub struct CitationInput {
    pub target: CitationTarget,
    pub passage: String,
    pub claimed_date: Option<EventDate>,
    /// How the editors hold the source's date against the others'.
    pub claimed_date_rank: Rank,
    pub claimed_date_rank_reason: String,
    pub note: String,
    /// What the source claims; replaces the citation's claims.
    pub claims: Vec<Claim>,
}

/// Which citation a row is: one of the event's (its source stays), or a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum CitationTarget {
    Existing(i64),
    New(SourceChoice),
}

/// The publication cited: one already known, or a new one.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceChoice {
    Existing(i64),
    New {
        outlet: String,
        title: String,
        url: Option<String>,
        published: Option<EventDate>,
    },
}

/// A publication status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// Draft (or retracted) to published.
    Publish,
    /// Published back to draft.
    Unpublish,
    /// Hidden from readers with a stated reason.
    Retract,
    /// Retracted back to draft, to be checked and published again.
    Restore,
}

impl StatusChange {
    pub fn parse(text: &str) -> Option<StatusChange> {
        match text {
            "publish" => Some(StatusChange::Publish),
            "unpublish" => Some(StatusChange::Unpublish),
            "retract" => Some(StatusChange::Retract),
            "restore" => Some(StatusChange::Restore),
            _ => None,
        }
    }

    /// The revision's action.
    pub fn action(self) -> RevisionAction {
        match self {
            StatusChange::Publish => RevisionAction::Publish,
            StatusChange::Unpublish => RevisionAction::Unpublish,
            StatusChange::Retract => RevisionAction::Retract,
            StatusChange::Restore => RevisionAction::Restore,
        }
    }

    pub fn past_participle(self) -> &'static str {
        match self {
            StatusChange::Publish => "published",
            StatusChange::Unpublish => "unpublished",
            StatusChange::Retract => "retracted",
            StatusChange::Restore => "restored",
        }
    }

    /// The status the event has afterwards.
    pub fn target(self) -> EventStatus {
        match self {
            StatusChange::Publish => EventStatus::Published,
            StatusChange::Unpublish | StatusChange::Restore => EventStatus::Draft,
            StatusChange::Retract => EventStatus::Retracted,
        }
    }

    /// The statuses the change applies to.
    pub fn applies_to(self, status: EventStatus) -> bool {
        match self {
            StatusChange::Publish => status == EventStatus::Draft,
            StatusChange::Unpublish | StatusChange::Retract => status == EventStatus::Published,
            StatusChange::Restore => status == EventStatus::Retracted,
        }
    }
}

/// An actor's fields as an editor sets them, validated.
#[derive(Debug, Clone)]
pub struct ActorFields {
    pub name: String,
    pub kind: ActorKind,
    /// ISO 3166-1 alpha-2 code, for countries.
    pub iso_code: Option<String>,
    /// The country a person, organization or facility belongs to.
    pub country_id: Option<i64>,
    pub description: String,
    /// Other names in any script; the name itself is not repeated here.
    pub aliases: Vec<String>,
}

/// The fields that would save an actor as it is.
impl From<crate::domain::Actor> for ActorFields {
    fn from(actor: crate::domain::Actor) -> ActorFields {
        ActorFields {
            name: actor.name,
            kind: actor.kind,
            iso_code: actor.iso_code,
            country_id: actor.country_id,
            description: actor.description,
            aliases: actor.aliases,
        }
    }
}
