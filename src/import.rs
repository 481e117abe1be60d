//! The interchange format for whole datasets: the demo data shipped in the binary loads
//! through [`load_dataset`], and later `entente import` will use the same path.
//!
//! A dataset names its actors, sources and events with local `key`s so that one file can
//! link them together; the keys are not stored, the database assigns ids.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::dates::EventDate;
use crate::domain::{ActorKind, AgreementKind, Claim, EventStatus, EventType, RelationKind};
use crate::error::Error;
use crate::store::Db;
use crate::store::loader::NewEvent;

/// A whole dataset: everything needed to build a timeline from scratch.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    #[serde(default)]
    pub actors: Vec<ActorRecord>,
    #[serde(default)]
    pub sources: Vec<SourceRecord>,
    #[serde(default)]
    pub events: Vec<EventRecord>,
}

/// An actor (country, person, organization, facility) with its other names.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorRecord {
    pub key: String,
    /// `country`, `person`, `organization` or `facility`.
    pub kind: String,
    /// The preferred name, shown in lists.
    pub name: String,
    /// Other spellings and names in other scripts; searching any of them finds the actor.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 code, for countries only (`IR`, `BY`).
    #[serde(default)]
    pub iso_code: Option<String>,
    /// Key of the country this actor belongs to (a minister's country, a plant's host).
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub description: String,
}

/// A publication that events cite.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceRecord {
    pub key: String,
    /// The publishing outlet; where the text does not name it, an honest description.
    pub outlet: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    /// Publication date in the same EDTF subset as event dates (`2023-08-02`, `2023-08`).
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    /// What an editor should know about this source (how it was identified, its slant).
    #[serde(default)]
    pub notes: String,
}

/// One event with its participants, citations, tags and relations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub key: String,
    pub title: String,
    /// The event type, by its stored text.
    #[serde(rename = "type")]
    pub event_type: String,
    /// For agreements: `mou`, `treaty`, `roadmap`, `contract`, `protocol`, `other`.
    #[serde(default)]
    pub agreement_kind: Option<String>,
    /// The date as the editor knows it (EDTF subset, see [`crate::dates`]).
    pub date: String,
    /// Why the date is what it is, where that needed judgement (an inferred year).
    #[serde(default)]
    pub date_note: String,
    #[serde(default)]
    pub place: Option<String>,
    /// Key of the country actor where it happened.
    #[serde(default)]
    pub location_country: Option<String>,
    /// Markdown.
    #[serde(default)]
    pub summary: String,
    /// `published` (default) or `draft`.
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub actors: Vec<ParticipantRecord>,
    #[serde(default)]
    pub citations: Vec<CitationRecord>,
    #[serde(default)]
    pub relations: Vec<RelationRecord>,
}

fn default_status() -> String {
    EventStatus::Published.as_str().to_owned()
}

/// A term of a vocabulary that [`check`] has accepted.
fn term<T>(parsed: Option<T>, text: &str) -> Result<T, Error> {
    parsed.ok_or_else(|| Error::Internal(format!("unchecked term “{text}”")))
}

/// An actor's part in an event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantRecord {
    /// Key of the actor.
    pub actor: String,
    /// What the actor did in the event: `party`, `signatory`, `host`, `visitor`,
    /// `claimant`, `subject`, `mentioned`, ...
    pub role: String,
    /// For people: their title at the time of the event.
    #[serde(default)]
    pub title: Option<String>,
}

/// A source backing an event, with the passage relied on and what the source claims.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitationRecord {
    /// Key of the source.
    pub source: String,
    /// The passage the event relies on, quoted from the source.
    pub passage: String,
    /// The source's own date for the event, when it gives one (EDTF subset).
    #[serde(default)]
    pub claimed_date: Option<String>,
    /// Claims the source makes or reports, with who made them.
    #[serde(default)]
    pub claims: Vec<Claim>,
    #[serde(default)]
    pub note: String,
}

/// A link from this event to another one in the same dataset.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationRecord {
    /// The relation, read as "this event <relation> that event".
    pub relation: String,
    /// Key of the other event.
    pub event: String,
    #[serde(default)]
    pub note: String,
}

/// The demo dataset: events of Iran–Belarus defense cooperation, 2022–2025, curated
/// from five news articles. Shipped inside the binary.
pub const DEMO_DATASET: &str = include_str!("../data/demo.json");

/// What a load wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadReport {
    pub actors: usize,
    pub sources: usize,
    pub events: usize,
}

/// Parses a dataset from JSON text, with a message that points at the problem.
pub fn parse_dataset(json: &str) -> Result<Dataset, Error> {
    serde_json::from_str(json).map_err(|e| Error::Invalid(format!("the dataset is not valid: {e}")))
}

/// Validates a whole dataset and writes it in one transaction. Every problem found is
/// reported at once (not just the first), and nothing is written unless all is well.
pub async fn load_dataset(db: &Db, dataset: &Dataset) -> Result<LoadReport, Error> {
    let checked = check(dataset)?;
    let mut loader = db.loader().await?;
    let mut actor_ids: HashMap<&str, i64> = HashMap::new();

    // Countries first, so that other actors can point at them.
    let (countries, others): (Vec<_>, Vec<_>) = dataset
        .actors
        .iter()
        .partition(|a| a.kind == ActorKind::Country.as_str());
    for actor in countries.iter().chain(others.iter()) {
        let country_id = actor
            .country
            .as_deref()
            .and_then(|key| actor_ids.get(key).copied());
        let id = loader
            .insert_actor(
                term(ActorKind::parse(&actor.kind), &actor.kind)?,
                &actor.name,
                actor.iso_code.as_deref(),
                country_id,
                &actor.description,
            )
            .await?;
        for alias in &actor.aliases {
            if alias.trim() != actor.name.trim() {
                loader.insert_alias(id, alias).await?;
            }
        }
        actor_ids.insert(&actor.key, id);
    }

    let mut source_ids: HashMap<&str, i64> = HashMap::new();
    for source in &dataset.sources {
        let id = loader
            .insert_source(
                &source.outlet,
                &source.title,
                source.url.as_deref(),
                checked.dates.get(&DateKey::Source(&source.key)),
                source.author.as_deref(),
                &source.notes,
            )
            .await?;
        source_ids.insert(&source.key, id);
    }

    let mut event_ids: HashMap<&str, i64> = HashMap::new();
    for event in &dataset.events {
        let Some(date) = checked.dates.get(&DateKey::Event(&event.key)) else {
            return Err(Error::Internal(format!("unchecked date for event {}", event.key)));
        };
        let id = loader
            .insert_event(&NewEvent {
                title: &event.title,
                summary: &event.summary,
                event_type: term(EventType::parse(&event.event_type), &event.event_type)?,
                agreement_kind: match &event.agreement_kind {
                    Some(kind) => Some(term(AgreementKind::parse(kind), kind)?),
                    None => None,
                },
                date,
                date_note: &event.date_note,
                place: event.place.as_deref(),
                location_country_id: event
                    .location_country
                    .as_deref()
                    .and_then(|k| actor_ids.get(k).copied()),
                status: term(EventStatus::parse(&event.status), &event.status)?,
            })
            .await?;
        event_ids.insert(&event.key, id);
        for (position, participant) in (0..).zip(&event.actors) {
            if let Some(&actor_id) = actor_ids.get(participant.actor.as_str()) {
                loader
                    .insert_participant(
                        id,
                        actor_id,
                        &participant.role,
                        participant.title.as_deref(),
                        position,
                    )
                    .await?;
            }
        }
        for (position, citation) in (0..).zip(&event.citations) {
            let Some(&source_id) = source_ids.get(citation.source.as_str()) else {
                continue;
            };
            let claimed = checked.dates.get(&DateKey::Claim(&event.key, position));
            let citation_id = loader
                .insert_citation(
                    id,
                    source_id,
                    &citation.passage,
                    claimed,
                    &citation.note,
                    position,
                )
                .await?;
            loader.insert_claims(citation_id, &citation.claims).await?;
        }
        for tag in &event.tags {
            loader.tag_event(id, tag).await?;
        }
    }

    for event in &dataset.events {
        for relation in &event.relations {
            if let (Some(&from), Some(&to)) = (
                event_ids.get(event.key.as_str()),
                event_ids.get(relation.event.as_str()),
            ) {
                loader
                    .relate_events(
                        from,
                        to,
                        term(RelationKind::parse(&relation.relation), &relation.relation)?,
                        &relation.note,
                    )
                    .await?;
            }
        }
    }

    loader.commit().await?;
    Ok(LoadReport {
        actors: dataset.actors.len(),
        sources: dataset.sources.len(),
        events: dataset.events.len(),
    })
}

/// Which record a parsed date belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum DateKey<'a> {
    Event(&'a str),
    Source(&'a str),
    /// The claimed date of an event's n-th citation.
    Claim(&'a str, i64),
}

/// The outcome of checking a dataset: its dates, parsed once.
struct Checked<'a> {
    dates: HashMap<DateKey<'a>, EventDate>,
}

/// Checks every rule the database would enforce, and the references between records,
/// so that an editor gets one list of problems in their own terms.
fn check(dataset: &Dataset) -> Result<Checked<'_>, Error> {
    let mut problems: Vec<String> = Vec::new();
    let mut dates = HashMap::new();

    let mut actor_kinds: HashMap<&str, Option<ActorKind>> = HashMap::new();
    for actor in &dataset.actors {
        let kind = ActorKind::parse(&actor.kind);
        if actor_kinds.insert(&actor.key, kind).is_some() {
            problems.push(format!("actor key “{}” is used twice", actor.key));
        }
        if kind.is_none() {
            problems.push(format!(
                "actor “{}”: kind “{}” is not one of {}",
                actor.key,
                actor.kind,
                ActorKind::terms()
            ));
        }
        if actor.name.trim().is_empty() {
            problems.push(format!("actor “{}” has no name", actor.key));
        }
        match (&actor.iso_code, kind) {
            (Some(code), Some(ActorKind::Country))
                if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                problems.push(format!(
                    "actor “{}”: iso_code “{code}” is not two letters",
                    actor.key
                ));
            }
            (Some(_), kind) if kind != Some(ActorKind::Country) => {
                problems.push(format!("actor “{}”: only countries have an iso_code", actor.key));
            }
            _ => {}
        }
    }
    for actor in &dataset.actors {
        if let Some(country) = &actor.country
            && actor_kinds.get(country.as_str()) != Some(&Some(ActorKind::Country))
        {
            problems.push(format!(
                "actor “{}”: country “{country}” is not a country in this dataset",
                actor.key
            ));
        }
    }

    let mut source_keys = HashSet::new();
    for source in &dataset.sources {
        if !source_keys.insert(source.key.as_str()) {
            problems.push(format!("source key “{}” is used twice", source.key));
        }
        if source.outlet.trim().is_empty() || source.title.trim().is_empty() {
            problems.push(format!("source “{}” needs an outlet and a title", source.key));
        }
        if let Some(published) = &source.published {
            match EventDate::parse(published) {
                Ok(date) => {
                    dates.insert(DateKey::Source(&source.key), date);
                }
                Err(e) => problems.push(format!("source “{}”: {e}", source.key)),
            }
        }
    }

    let event_keys: HashSet<&str> = dataset.events.iter().map(|e| e.key.as_str()).collect();
    if event_keys.len() != dataset.events.len() {
        problems.push("two events share a key".to_owned());
    }
    for event in &dataset.events {
        let key = event.key.as_str();
        if event.title.trim().is_empty() {
            problems.push(format!("event “{key}” has no title"));
        }
        let event_type = EventType::parse(&event.event_type);
        if event_type.is_none() {
            problems.push(format!(
                "event “{key}”: type “{}” is not one of {}",
                event.event_type,
                EventType::terms()
            ));
        }
        match (&event.agreement_kind, event_type) {
            (Some(kind), Some(EventType::Agreement)) if AgreementKind::parse(kind).is_none() => problems
                .push(format!(
                    "event “{key}”: agreement kind “{kind}” is not one of {}",
                    AgreementKind::terms()
                )),
            (Some(_), Some(t)) if t != EventType::Agreement => {
                problems.push(format!("event “{key}”: only agreements have an agreement kind"))
            }
            _ => {}
        }
        if !matches!(
            EventStatus::parse(&event.status),
            Some(EventStatus::Draft | EventStatus::Published)
        ) {
            problems.push(format!("event “{key}”: status must be draft or published"));
        }
        match EventDate::parse(&event.date) {
            Ok(date) => {
                dates.insert(DateKey::Event(key), date);
            }
            Err(e) => problems.push(format!("event “{key}”: {e}")),
        }
        if let Some(country) = &event.location_country
            && actor_kinds.get(country.as_str()) != Some(&Some(ActorKind::Country))
        {
            problems.push(format!(
                "event “{key}”: location country “{country}” is not a country in this dataset"
            ));
        }
        for participant in &event.actors {
            if !actor_kinds.contains_key(participant.actor.as_str()) {
                problems.push(format!("event “{key}”: unknown actor “{}”", participant.actor));
            }
            if participant.role.trim().is_empty() {
                problems.push(format!(
                    "event “{key}”: actor “{}” needs a role",
                    participant.actor
                ));
            }
        }
        for (position, citation) in (0..).zip(&event.citations) {
            if !source_keys.contains(citation.source.as_str()) {
                problems.push(format!("event “{key}”: unknown source “{}”", citation.source));
            }
            if let Some(claimed) = &citation.claimed_date {
                match EventDate::parse(claimed) {
                    Ok(date) => {
                        dates.insert(DateKey::Claim(key, position), date);
                    }
                    Err(e) => problems.push(format!("event “{key}”, citation of “{}”: {e}", citation.source)),
                }
            }
            for claim in &citation.claims {
                if claim.topic.trim().is_empty() || claim.value.trim().is_empty() {
                    problems.push(format!("event “{key}”: a claim needs a topic and a value"));
                }
            }
        }
        for relation in &event.relations {
            if RelationKind::parse(&relation.relation).is_none() {
                problems.push(format!(
                    "event “{key}”: relation “{}” is not one of {}",
                    relation.relation,
                    RelationKind::terms()
                ));
            }
            if !event_keys.contains(relation.event.as_str()) {
                problems.push(format!(
                    "event “{key}”: related event “{}” is not in this dataset",
                    relation.event
                ));
            }
            if relation.event == event.key {
                problems.push(format!("event “{key}” cannot be related to itself"));
            }
        }
    }

    if problems.is_empty() {
        Ok(Checked { dates })
    } else {
        Err(Error::Invalid(format!(
            "the dataset has {} problem(s): {}",
            problems.len(),
            problems.join("; ")
        )))
    }
}
