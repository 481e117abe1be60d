//! The interchange format for whole datasets (`docs/dataset-format.md`) and the three
//! ways it moves: [`load_dataset`] fills an empty database in bulk (the demo data at
//! first start, test fixtures, the benchmark collection), without revisions;
//! [`import_dataset`] (`entente import`) writes a file over what a database holds,
//! matching records first and recording a revision for each record it creates or
//! changes; [`export_dataset`] (`entente export`) writes the published collection in
//! the same format.
//!
//! A dataset names its actors, sources and events with `key`s so that one file can link
//! them together. The database assigns ids and remembers each key (`import_keys`): a
//! later import of a file with the same keys finds the same records, and an export
//! gives them the same keys back.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::dates::EventDate;
use crate::domain::edit::{
    ActorChoice, ActorFields, CitationInput, CitationTarget, EventFields, ParticipantInput, RelationInput,
    SourceChoice,
};
use crate::domain::names::fold;
use crate::domain::text;
use crate::domain::{
    ActorKind, AgreementKind, Claim, Entity, EventStatus, EventType, KeyDates, Outlet, OutletKind, Rank,
    RelationKind, Source, Verification,
};
use crate::error::Error;
use crate::store::Db;
use crate::store::importing::{Importer, Outcome};
use crate::store::listing::ActorFinder;
use crate::store::loader::NewCitation;
use crate::store::loader::{Loader, NewEvent, NewEventParts, NewParticipant};

/// A whole dataset: everything needed to build a timeline from scratch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    #[serde(default)]
    pub actors: Vec<ActorRecord>,
    #[serde(default)]
    pub sources: Vec<SourceRecord>,
    /// What the outlets the sources name are: kind, country, language, note.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outlets: Vec<OutletRecord>,
    #[serde(default)]
    pub events: Vec<EventRecord>,
}

/// An outlet that the file's sources name, described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutletRecord {
    /// The outlet's name, as the sources give it.
    pub name: String,
    /// `official`, `state_media`, `news_agency`, `independent_press`, `think_tank`,
    /// `military_intelligence`, `social_media` or `unidentified` (the default).
    #[serde(default = "default_outlet_kind")]
    pub kind: String,
    /// Key of the country the outlet belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

fn default_outlet_kind() -> String {
    OutletKind::Unidentified.as_str().to_owned()
}

impl OutletRecord {
    /// The record as the domain's outlet, its country found in `actor_ids`.
    fn outlet(&self, actor_ids: &HashMap<&str, i64>) -> Result<Outlet, Error> {
        Ok(Outlet {
            name: self.name.trim().to_owned(),
            kind: term(OutletKind::parse(&self.kind), &self.kind)?,
            country_id: self.country.as_deref().and_then(|k| actor_ids.get(k).copied()),
            country: None,
            language: self.language.trim().to_owned(),
            note: self.note.trim().to_owned(),
        })
    }
}

/// An actor (country, person, organization, facility) with its other names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorRecord {
    pub key: String,
    /// `country`, `person`, `organization` or `facility`.
    pub kind: String,
    /// The preferred name, shown in lists.
    pub name: String,
    /// Other spellings and names in other scripts; searching any of them finds the actor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 code, for countries only (`IR`, `BY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_code: Option<String>,
    /// Key of the country this actor belongs to (a minister's country, a plant's host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A publication that events cite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceRecord {
    pub key: String,
    /// The publishing outlet; where the text does not name it, an honest description.
    pub outlet: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date in the same EDTF subset as event dates (`2023-08-02`, `2023-08`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// What an editor should know about this source (how it was identified, its slant).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// An archived copy's address (`https://web.archive.org/web/…`), for when `url` dies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_url: Option<String>,
    /// The day an editor retrieved the source (EDTF, `2023-08-02`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieved: Option<String>,
    /// Key of the source this one rewrites or reports (listed before it in the file);
    /// events count the two as one independent source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
    /// How it derives from that source.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub derived_note: String,
}

/// One event with its participants, citations, tags and relations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub key: String,
    pub title: String,
    /// The event type, by its stored text.
    #[serde(rename = "type")]
    pub event_type: String,
    /// For agreements: `mou`, `treaty`, `roadmap`, `contract`, `protocol`, `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement_kind: Option<String>,
    /// The date as the editor knows it (EDTF subset, see [`crate::dates`]).
    pub date: String,
    /// Why the date is what it is, where that needed judgement (an inferred year).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date_note: String,
    /// When it was announced, where sources say (EDTF subset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<String>,
    /// When it was signed (agreements), where sources say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
    /// When it entered into force (agreements), where sources say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_force: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Why the editors give the place when no cited passage does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_inference: Option<String>,
    /// Why the date note is the editors' inference, when no cited passage supports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_note_inference: Option<String>,
    /// Key of the country actor where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_country: Option<String>,
    /// Markdown.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// `published` (default) or `draft`.
    #[serde(default = "default_status")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<ParticipantRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citations: Vec<CitationRecord>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelationRecord>,
    /// The editors' verification status, overriding the one the sources give:
    /// `unsourced`, `single_source`, `corroborated`, `officially_confirmed`, `disputed`
    /// or `denied`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<String>,
    /// Why the editors override it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub verification_reason: String,
}

fn default_status() -> String {
    EventStatus::Published.as_str().to_owned()
}

/// A term of a vocabulary that [`check`] has accepted.
fn term<T>(parsed: Option<T>, text: &str) -> Result<T, Error> {
    parsed.ok_or_else(|| Error::Internal(format!("unchecked term “{text}”")))
}

/// An actor's part in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantRecord {
    /// Key of the actor.
    pub actor: String,
    /// What the actor did in the event: `party`, `signatory`, `host`, `visitor`,
    /// `claimant`, `subject`, `mentioned`, ...
    pub role: String,
    /// For people: their title at the time of the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Why the editors name this participant when no cited passage does: it is shown
    /// to readers as the editors' inference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<String>,
}

/// A source backing an event, with the passage relied on and what the source claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationRecord {
    /// Key of the source.
    pub source: String,
    /// The passage the event relies on, quoted from the source.
    pub passage: String,
    /// The source's own date for the event, when it gives one (EDTF subset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_date: Option<String>,
    /// How the editors hold that date against the other sources' dates.
    #[serde(default, skip_serializing_if = "Rank::is_preferred")]
    pub claimed_date_rank: Rank,
    /// Why the date has its rank.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub claimed_date_rank_reason: String,
    /// Claims the source makes or reports, with who made them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Claim>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A link from this event to another one in the same dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationRecord {
    /// The relation, read as "this event <relation> that event".
    pub relation: String,
    /// Key of the other event.
    pub event: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Why the editors relate the events when no cited passage does: the relation is
    /// shown to readers as the editors' inference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inference: Option<String>,
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

/// Parses a dataset from JSON text, with a message that points at the problem: its
/// JSON path, line and column.
pub fn parse_dataset(json: &str) -> Result<Dataset, Error> {
    let reader = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(reader).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        Error::Invalid(format!("the dataset cannot be read: {path}: {inner}"))
    })
}

/// Validates a whole dataset and writes it in one transaction. Every problem found is
/// reported at once (not just the first), and nothing is written unless all is well.
pub async fn load_dataset(db: &Db, dataset: &Dataset) -> Result<LoadReport, Error> {
    let checked = check(dataset)?;
    let started = std::time::Instant::now();
    let mut loader = db.loader().await?;
    loader.bulk().await?;
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
        loader.keep_key(Entity::Actor, &actor.key, id, false).await?;
        actor_ids.insert(&actor.key, id);
    }

    let mut source_ids: HashMap<&str, i64> = HashMap::new();
    let mut source_keys = Vec::with_capacity(dataset.sources.len());
    for source in &dataset.sources {
        let mut record = source_of(source, &checked);
        record.derived_from = source
            .derived_from
            .as_deref()
            .and_then(|k| source_ids.get(k).copied());
        let id = loader.add_source(record).await?;
        source_keys.push((Entity::Source, id, source.key.clone()));
        source_ids.insert(&source.key, id);
    }
    // The outlets' records exist once their sources are written.
    loader.write_batch().await?;
    loader.keep_keys(&source_keys, false).await?;
    for outlet in &dataset.outlets {
        let described = outlet.outlet(&actor_ids)?;
        loader.set_outlet(&described).await?;
    }

    let mut event_ids: HashMap<&str, i64> = HashMap::new();
    let mut event_keys = Vec::with_capacity(dataset.events.len());
    for event in &dataset.events {
        let Some(date) = checked.dates.get(&DateKey::Event(&event.key)) else {
            return Err(Error::Internal(format!("unchecked date for event {}", event.key)));
        };
        let verification = event.verification.as_deref().and_then(Verification::parse);
        let further = |field| checked.dates.get(&DateKey::Further(&event.key, field)).cloned();
        let key_dates = KeyDates {
            announced: further("announced"),
            signed: further("signed"),
            in_force: further("in_force"),
        };
        let participants = (0..)
            .zip(&event.actors)
            .filter_map(|(position, participant)| {
                let &actor_id = actor_ids.get(participant.actor.as_str())?;
                Some(NewParticipant {
                    position,
                    actor_id,
                    role: participant.role.as_str(),
                    title: participant.title.as_deref(),
                    inference: participant.inference.as_deref(),
                })
            })
            .collect();
        let citations = (0..)
            .zip(&event.citations)
            .filter_map(|(position, citation)| {
                let &source_id = source_ids.get(citation.source.as_str())?;
                let cited = NewCitation {
                    passage: &citation.passage,
                    claimed_date: checked.dates.get(&DateKey::Claim(&event.key, position)),
                    claimed_date_rank: citation.claimed_date_rank,
                    claimed_date_rank_reason: &citation.claimed_date_rank_reason,
                    note: &citation.note,
                    claims: &citation.claims,
                };
                Some((position, source_id, cited))
            })
            .collect();
        let id = loader
            .add_event(
                &NewEvent {
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
                },
                NewEventParts {
                    verification,
                    verification_reason: &event.verification_reason,
                    key_dates: &key_dates,
                    place_inference: event.place_inference.as_deref(),
                    date_note_inference: event.date_note_inference.as_deref(),
                    participants,
                    citations,
                    tags: &event.tags,
                },
            )
            .await?;
        event_keys.push((Entity::Event, id, event.key.clone()));
        event_ids.insert(&event.key, id);
    }
    // The relations name events of the whole dataset: all written first.
    loader.write_batch().await?;
    loader.keep_keys(&event_keys, false).await?;

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
                        relation.inference.as_deref(),
                    )
                    .await?;
            }
        }
    }

    tracing::debug!(
        events = dataset.events.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "dataset rows written"
    );
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
    /// The day a source was retrieved.
    Retrieved(&'a str),
    /// An event's further date: announced, signed or in force.
    Further(&'a str, &'static str),
    /// The claimed date of an event's n-th citation.
    Claim(&'a str, i64),
}

/// A checked source record as the domain's source: trimmed, empty texts left out.
fn source_of(source: &SourceRecord, checked: &Checked<'_>) -> Source {
    let given = |text: &Option<String>| {
        text.as_ref()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    Source {
        outlet: source.outlet.trim().to_owned(),
        title: source.title.trim().to_owned(),
        url: given(&source.url),
        published: checked.dates.get(&DateKey::Source(&source.key)).cloned(),
        author: given(&source.author),
        notes: source.notes.trim().to_owned(),
        archive_url: given(&source.archive_url),
        retrieved: checked.dates.get(&DateKey::Retrieved(&source.key)).cloned(),
        // The caller links it: the id of the source derived from is known once that
        // source (earlier in the file) is written.
        derived_from: None,
        derived_note: source.derived_note.trim().to_owned(),
    }
}

/// The outcome of checking a dataset: its dates, parsed once.
struct Checked<'a> {
    dates: HashMap<DateKey<'a>, EventDate>,
}

/// Checks every rule the database would enforce, and the references between records,
/// so that an editor gets one list of problems in their own terms: each names the JSON
/// path of the value at fault (`events[3].date`), the record's key and the reason.
fn check(dataset: &Dataset) -> Result<Checked<'_>, Error> {
    let mut problems: Vec<String> = Vec::new();
    let mut dates = HashMap::new();
    let mut problem = |path: String, key: &str, reason: String| {
        problems.push(format!("{path} (“{key}”): {reason}"));
    };

    let mut actor_kinds: HashMap<&str, Option<ActorKind>> = HashMap::new();
    for (i, actor) in dataset.actors.iter().enumerate() {
        let at = |field: &str| format!("actors[{i}].{field}");
        let key = actor.key.as_str();
        let kind = ActorKind::parse(&actor.kind);
        if key.trim().is_empty() {
            problem(at("key"), key, "a key is needed".to_owned());
        }
        if actor_kinds.insert(key, kind).is_some() {
            problem(at("key"), key, "this key is used by another actor too".to_owned());
        }
        if kind.is_none() {
            problem(
                at("kind"),
                key,
                format!("“{}” is not one of {}", actor.kind, ActorKind::terms()),
            );
        }
        if let Some(reason) = text::name_refusal("The name", &actor.name, text::MAX_NAME_CHARS) {
            problem(at("name"), key, reason);
        }
        for (j, alias) in actor.aliases.iter().enumerate() {
            if let Some(reason) = text::name_refusal("An alias", alias, text::MAX_NAME_CHARS) {
                problem(at(&format!("aliases[{j}]")), key, reason);
            }
        }
        match (&actor.iso_code, kind) {
            (Some(code), Some(ActorKind::Country))
                if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                problem(at("iso_code"), key, format!("“{code}” is not two letters"));
            }
            (Some(_), kind) if kind != Some(ActorKind::Country) => {
                problem(at("iso_code"), key, "only countries have an ISO code".to_owned());
            }
            _ => {}
        }
    }
    for (i, actor) in dataset.actors.iter().enumerate() {
        if let Some(country) = &actor.country
            && actor_kinds.get(country.as_str()) != Some(&Some(ActorKind::Country))
        {
            problem(
                format!("actors[{i}].country"),
                &actor.key,
                format!("“{country}” is not the key of a country in this file"),
            );
        }
    }

    let mut source_keys = HashSet::new();
    for (i, source) in dataset.sources.iter().enumerate() {
        let at = |field: &str| format!("sources[{i}].{field}");
        let key = source.key.as_str();
        if key.trim().is_empty() {
            problem(at("key"), key, "a key is needed".to_owned());
        }
        if !source_keys.insert(key) {
            problem(
                at("key"),
                key,
                "this key is used by another source too".to_owned(),
            );
        }
        if source.outlet.trim().is_empty() {
            problem(at("outlet"), key, "an outlet is needed".to_owned());
        }
        if source.title.trim().is_empty() {
            problem(at("title"), key, "a title is needed".to_owned());
        }
        if let Some(published) = &source.published {
            match EventDate::parse(published) {
                Ok(date) => {
                    dates.insert(DateKey::Source(key), date);
                }
                Err(e) => problem(at("published"), key, e.to_string()),
            }
        }
        if let Some(parent) = source.derived_from.as_deref() {
            // Sources are read in order: the one derived from comes first, so no chain
            // in a file can be a cycle.
            if !source_keys.contains(parent) || parent == key {
                problem(
                    at("derived_from"),
                    key,
                    format!("“{parent}” is not the key of a source listed before this one"),
                );
            }
        }
        if let Some(retrieved) = &source.retrieved {
            match EventDate::parse(retrieved) {
                Ok(date) => {
                    dates.insert(DateKey::Retrieved(key), date);
                }
                Err(e) => problem(at("retrieved"), key, e.to_string()),
            }
        }
        if let Some(archive) = source
            .archive_url
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            && !(archive.starts_with("https://") || archive.starts_with("http://"))
        {
            problem(
                at("archive_url"),
                key,
                "an archived copy's address starts with http:// or https://".to_owned(),
            );
        }
    }

    let named: HashSet<&str> = dataset.sources.iter().map(|s| s.outlet.trim()).collect();
    let mut outlet_names = HashSet::new();
    for (i, outlet) in dataset.outlets.iter().enumerate() {
        let at = |field: &str| format!("outlets[{i}].{field}");
        let name = outlet.name.trim();
        if !named.contains(name) {
            problem(
                at("name"),
                name,
                "no source of this file names this outlet".to_owned(),
            );
        }
        if !outlet_names.insert(name) {
            problem(at("name"), name, "this outlet is described twice".to_owned());
        }
        if OutletKind::parse(&outlet.kind).is_none() {
            problem(
                at("kind"),
                name,
                format!("“{}” is not one of {}", outlet.kind, OutletKind::terms()),
            );
        }
        if let Some(country) = &outlet.country
            && actor_kinds.get(country.as_str()) != Some(&Some(ActorKind::Country))
        {
            problem(
                at("country"),
                name,
                format!("“{country}” is not the key of a country in this file"),
            );
        }
        for (field, value) in [("language", &outlet.language), ("note", &outlet.note)] {
            if let Some(reason) = text::too_long(field, value, text::MAX_TEXT_CHARS) {
                problem(at(field), name, reason);
            }
        }
    }

    let mut event_keys = HashSet::new();
    for (i, event) in dataset.events.iter().enumerate() {
        if !event_keys.insert(event.key.as_str()) {
            problem(
                format!("events[{i}].key"),
                &event.key,
                "this key is used by another event too".to_owned(),
            );
        }
    }
    for (i, event) in dataset.events.iter().enumerate() {
        let at = |field: &str| format!("events[{i}].{field}");
        let key = event.key.as_str();
        if key.trim().is_empty() {
            problem(at("key"), key, "a key is needed".to_owned());
        }
        if event.title.trim().is_empty() {
            problem(at("title"), key, "a title is needed".to_owned());
        }
        let event_type = EventType::parse(&event.event_type);
        if event_type.is_none() {
            problem(
                at("type"),
                key,
                format!("“{}” is not one of {}", event.event_type, EventType::terms()),
            );
        }
        match (&event.agreement_kind, event_type) {
            (Some(kind), Some(EventType::Agreement)) if AgreementKind::parse(kind).is_none() => problem(
                at("agreement_kind"),
                key,
                format!("“{kind}” is not one of {}", AgreementKind::terms()),
            ),
            (Some(_), Some(t)) if t != EventType::Agreement => problem(
                at("agreement_kind"),
                key,
                "only agreements have an agreement kind".to_owned(),
            ),
            _ => {}
        }
        if !matches!(
            EventStatus::parse(&event.status),
            Some(EventStatus::Draft | EventStatus::Published)
        ) {
            problem(
                at("status"),
                key,
                format!("“{}” is not draft or published", event.status),
            );
        }
        if let Some(status) = &event.verification {
            if Verification::parse(status).is_none() {
                problem(
                    at("verification"),
                    key,
                    format!("“{status}” is not one of {}", Verification::terms()),
                );
            } else if event.verification_reason.trim().is_empty() {
                problem(
                    at("verification_reason"),
                    key,
                    "say why the editors override the status the sources give".to_owned(),
                );
            }
        }
        for (field, given) in [
            ("announced", &event.announced),
            ("signed", &event.signed),
            ("in_force", &event.in_force),
        ] {
            if let Some(text) = given {
                match EventDate::parse(text) {
                    Ok(date) => {
                        dates.insert(DateKey::Further(key, field), date);
                    }
                    Err(e) => problem(at(field), key, e.to_string()),
                }
            }
        }
        match EventDate::parse(&event.date) {
            Ok(date) => {
                dates.insert(DateKey::Event(key), date);
            }
            Err(e) => problem(at("date"), key, e.to_string()),
        }
        if let Some(country) = &event.location_country
            && actor_kinds.get(country.as_str()) != Some(&Some(ActorKind::Country))
        {
            problem(
                at("location_country"),
                key,
                format!("“{country}” is not the key of a country in this file"),
            );
        }
        for (j, participant) in event.actors.iter().enumerate() {
            if !actor_kinds.contains_key(participant.actor.as_str()) {
                problem(
                    at(&format!("actors[{j}].actor")),
                    key,
                    format!("no actor in this file has the key “{}”", participant.actor),
                );
            }
            if participant.role.trim().is_empty() {
                problem(
                    at(&format!("actors[{j}].role")),
                    key,
                    "a role is needed".to_owned(),
                );
            }
        }
        for (position, citation) in (0..).zip(&event.citations) {
            let cited = |field: &str| at(&format!("citations[{position}].{field}"));
            if !source_keys.contains(citation.source.as_str()) {
                problem(
                    cited("source"),
                    key,
                    format!("no source in this file has the key “{}”", citation.source),
                );
            }
            if let Some(claimed) = &citation.claimed_date {
                match EventDate::parse(claimed) {
                    Ok(date) => {
                        dates.insert(DateKey::Claim(key, position), date);
                    }
                    Err(e) => problem(cited("claimed_date"), key, e.to_string()),
                }
            }
            if citation.claimed_date.is_none()
                && (!citation.claimed_date_rank.is_preferred()
                    || !citation.claimed_date_rank_reason.is_empty())
            {
                problem(
                    cited("claimed_date_rank"),
                    key,
                    "a rank for the source's date needs the date (claimed_date)".to_owned(),
                );
            }
            for (k, claim) in citation.claims.iter().enumerate() {
                if claim.topic.trim().is_empty() || claim.value.trim().is_empty() {
                    problem(
                        cited(&format!("claims[{k}]")),
                        key,
                        "a claim needs a topic and a value".to_owned(),
                    );
                }
            }
        }
        for (j, relation) in event.relations.iter().enumerate() {
            let related = |field: &str| at(&format!("relations[{j}].{field}"));
            if RelationKind::parse(&relation.relation).is_none() {
                problem(
                    related("relation"),
                    key,
                    format!("“{}” is not one of {}", relation.relation, RelationKind::terms()),
                );
            }
            if !event_keys.contains(relation.event.as_str()) {
                problem(
                    related("event"),
                    key,
                    format!("no event in this file has the key “{}”", relation.event),
                );
            }
            if relation.event == event.key {
                problem(
                    related("event"),
                    key,
                    "an event cannot be related to itself".to_owned(),
                );
            }
        }
    }

    if problems.is_empty() {
        Ok(Checked { dates })
    } else {
        Err(Error::Invalid(format!(
            "the dataset has {} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        )))
    }
}

/// How an import runs.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions<'a> {
    /// The file's name, for the revisions' note ("Imported from events.json").
    pub file_name: &'a str,
    /// The importing account, the revisions' author.
    pub user_id: Option<i64>,
    /// Report what would happen, and write nothing.
    pub dry_run: bool,
}

impl<'a> ImportOptions<'a> {
    /// The revisions' note.
    fn summary(&self) -> String {
        format!("Imported from {}", self.file_name)
    }

    fn importer(&self, summary: &'a str) -> Importer<'a> {
        Importer {
            user_id: self.user_id,
            summary,
        }
    }
}

/// Commits an import, or, for a dry run, drops all it wrote.
async fn finish(loader: Loader, options: ImportOptions<'_>) -> Result<(), Error> {
    if options.dry_run {
        loader.abandon().await
    } else {
        loader.commit().await
    }
}

/// Records of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub actors: usize,
    pub sources: usize,
    pub events: usize,
}

impl Counts {
    fn add(&mut self, entity: Entity) {
        match entity {
            Entity::Actor => self.actors += 1,
            Entity::Source => self.sources += 1,
            Entity::Event => self.events += 1,
            // Datasets name outlets on their sources; outlet records are edited in the app.
            Entity::Outlet => {}
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} actor(s), {} source(s), {} event(s)",
            self.actors, self.sources, self.events
        )
    }
}

/// What an import did (or, for a dry run, would do): a line per record created, changed
/// or matched, and the counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub dry_run: bool,
    pub created: Counts,
    pub changed: Counts,
    pub unchanged: Counts,
    /// Records found by name, alias, ISO code or address rather than by a key of an
    /// earlier import; they are left as they are (but for added aliases).
    pub matched: Counts,
    pub lines: Vec<String>,
}

impl ImportReport {
    fn for_run(options: ImportOptions<'_>) -> ImportReport {
        ImportReport {
            dry_run: options.dry_run,
            ..ImportReport::default()
        }
    }

    fn note(&mut self, entity: Entity, outcome: Outcome, key: &str, name: &str, id: i64) {
        let verb = match (outcome, self.dry_run) {
            (Outcome::Created, false) => "created",
            (Outcome::Created, true) => "would create",
            (Outcome::Changed, false) => "changed",
            (Outcome::Changed, true) => "would change",
            (Outcome::Unchanged, _) => {
                self.unchanged.add(entity);
                return;
            }
        };
        match outcome {
            Outcome::Created => self.created.add(entity),
            _ => self.changed.add(entity),
        }
        self.lines
            .push(format!("{verb} {entity} #{id} “{name}” (key “{key}”)"));
    }

    fn matched(&mut self, entity: Entity, key: &str, name: &str, id: i64, how: &str, said: String) {
        self.matched.add(entity);
        self.lines.push(format!(
            "matched {entity} “{name}” (key “{key}”) to the existing {entity} #{id} by its {how}{said}"
        ));
    }
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for line in &self.lines {
            writeln!(f, "{line}")?;
        }
        let (created, changed) = if self.dry_run {
            ("would create", "would change")
        } else {
            ("created", "changed")
        };
        writeln!(f, "{created}: {}", self.created)?;
        writeln!(f, "{changed}: {}", self.changed)?;
        writeln!(f, "matched to existing records: {}", self.matched)?;
        write!(f, "unchanged: {}", self.unchanged)?;
        if self.dry_run {
            write!(f, "\ndry run: nothing was written")?;
        }
        Ok(())
    }
}

/// Imports a dataset over what the database holds, in one transaction: all of it lands
/// or none of it does (and none with `dry_run`).
///
/// Records are found before anything is created: by the key an earlier import gave them;
/// then actors by ISO code (countries), name or any alias, and sources by address or by
/// outlet and title. A record found by its key takes the file's fields (and gets a
/// revision only if that changes it); one found otherwise keeps its own, gaining the
/// file's other names as aliases. Every record created or changed gets a revision by the
/// importing account that names the file, so a second import of the same file changes
/// nothing.
pub async fn import_dataset(
    db: &Db,
    dataset: &Dataset,
    options: ImportOptions<'_>,
) -> Result<ImportReport, Error> {
    let checked = check(dataset)?;
    let finder = db.actor_finder().await?;
    let summary = options.summary();
    let by = options.importer(&summary);
    let mut report = ImportReport::for_run(options);
    let mut loader = db.loader().await?;

    // Actors, countries first so that others can point at them.
    let mut actor_ids: HashMap<&str, i64> = HashMap::new();
    let mut actors_seen: HashSet<i64> = HashSet::new();
    let (countries, others): (Vec<_>, Vec<_>) = dataset
        .actors
        .iter()
        .partition(|a| a.kind == ActorKind::Country.as_str());
    for actor in countries.into_iter().chain(others) {
        let kind = term(ActorKind::parse(&actor.kind), &actor.kind)?;
        let iso_code = actor.iso_code.as_ref().map(|c| c.to_uppercase());
        let fields = ActorFields {
            name: actor.name.trim().to_owned(),
            kind,
            iso_code: iso_code.clone(),
            country_id: actor.country.as_deref().and_then(|k| actor_ids.get(k).copied()),
            description: actor.description.trim().to_owned(),
            aliases: actor.aliases.iter().map(|a| a.trim().to_owned()).collect(),
        };
        // A record found by its key takes the file's fields, unless it was matched (or
        // merged) or another record of this file already took it: then it is matched
        // again, keeping its own.
        let found = match loader.keyed(Entity::Actor, &actor.key).await? {
            Some(k) if !k.matched && !actors_seen.contains(&k.id) => Found::Keyed(k.id),
            Some(k) => Found::Matched(k.id, "key, given by an earlier import to a record found"),
            None => match find_actor(&mut loader, &finder, actor, iso_code.as_deref()).await? {
                Some((id, how)) => Found::Matched(id, how),
                None => Found::New,
            },
        };
        let (id, matched) = match found {
            Found::Keyed(id) => {
                let (id, outcome) = loader.import_actor(Some(id), &fields, by).await?;
                report.note(Entity::Actor, outcome, &actor.key, &actor.name, id);
                (id, false)
            }
            Found::New => {
                let (id, outcome) = loader.import_actor(None, &fields, by).await?;
                report.note(Entity::Actor, outcome, &actor.key, &actor.name, id);
                (id, false)
            }
            Found::Matched(id, how) => {
                let stored = loader.actor_now(id).await?;
                let said = if !actor.description.trim().is_empty()
                    && actor.description.trim() != stored.description
                {
                    "; the file's description is left out".to_owned()
                } else {
                    String::new()
                };
                report.matched(Entity::Actor, &actor.key, &actor.name, id, how, said);
                // The stored record stays; the file's other names become its aliases.
                let mut aliases = stored.aliases.clone();
                for name in std::iter::once(&actor.name).chain(&actor.aliases) {
                    if fold(name) != fold(&stored.name) && !aliases.iter().any(|a| fold(a) == fold(name)) {
                        aliases.push(name.trim().to_owned());
                    }
                }
                let fields = ActorFields {
                    aliases,
                    ..ActorFields::from(stored)
                };
                let (id, outcome) = loader.import_actor(Some(id), &fields, by).await?;
                if outcome == Outcome::Changed {
                    report.lines.push(format!(
                        "{} the file's other names to actor #{id} as aliases",
                        if options.dry_run { "would add" } else { "added" }
                    ));
                }
                (id, true)
            }
        };
        loader.keep_key(Entity::Actor, &actor.key, id, matched).await?;
        actors_seen.insert(id);
        actor_ids.insert(&actor.key, id);
    }

    // Sources.
    let mut source_ids: HashMap<&str, i64> = HashMap::new();
    let mut sources_seen: HashSet<i64> = HashSet::new();
    for source in &dataset.sources {
        let mut record = source_of(source, &checked);
        record.derived_from = source
            .derived_from
            .as_deref()
            .and_then(|k| source_ids.get(k).copied());
        let found = match loader.keyed(Entity::Source, &source.key).await? {
            Some(k) if !k.matched && !sources_seen.contains(&k.id) => Found::Keyed(k.id),
            Some(k) => Found::Matched(k.id, "key, given by an earlier import to a record found"),
            None => match loader
                .source_matching(record.url.as_deref(), &record.outlet, &record.title)
                .await?
            {
                Some(id) if record.url.is_some() => Found::Matched(id, "address or outlet and title"),
                Some(id) => Found::Matched(id, "outlet and title"),
                None => Found::New,
            },
        };
        let (id, matched) = match found {
            Found::Keyed(id) => {
                let (id, outcome) = loader.import_source(Some(id), &record, by).await?;
                report.note(Entity::Source, outcome, &source.key, &source.title, id);
                (id, false)
            }
            Found::New => {
                let (id, outcome) = loader.import_source(None, &record, by).await?;
                report.note(Entity::Source, outcome, &source.key, &source.title, id);
                (id, false)
            }
            // A source found stays as it is.
            Found::Matched(id, how) => {
                report.matched(Entity::Source, &source.key, &source.title, id, how, String::new());
                (id, true)
            }
        };
        loader.keep_key(Entity::Source, &source.key, id, matched).await?;
        sources_seen.insert(id);
        source_ids.insert(&source.key, id);
    }

    // Outlets: a description fills an outlet nobody described yet; one an editor
    // described keeps its own.
    for outlet in &dataset.outlets {
        let described = outlet.outlet(&actor_ids)?;
        if let Some(stored) = loader.outlet_named(&described.name).await?
            && crate::store::outlets::undescribed(&stored.outlet)
            && !crate::store::outlets::undescribed(&described)
        {
            loader
                .describe_outlet(stored.id, stored.version, &described, by)
                .await?;
        }
    }

    // Events: first every one is found or inserted, so that relations between them can
    // be written; then each is written whole.
    let mut event_ids: Vec<(i64, bool)> = Vec::with_capacity(dataset.events.len());
    let mut ids_by_key: HashMap<&str, i64> = HashMap::new();
    let mut all_fields = Vec::with_capacity(dataset.events.len());
    for event in &dataset.events {
        let fields = event_fields(event, &checked, &actor_ids, &source_ids)?;
        let status = term(EventStatus::parse(&event.status), &event.status)?;
        let (id, new) = match loader.keyed(Entity::Event, &event.key).await? {
            Some(keyed) => (keyed.id, false),
            None => (loader.insert_bare_event(&fields, status).await?, true),
        };
        event_ids.push((id, new));
        ids_by_key.insert(&event.key, id);
        all_fields.push((fields, status));
    }
    for ((event, (mut fields, status)), (id, new)) in dataset.events.iter().zip(all_fields).zip(event_ids) {
        fields.relations = event
            .relations
            .iter()
            .map(|r| {
                Ok(RelationInput {
                    to: ids_by_key
                        .get(r.event.as_str())
                        .copied()
                        .ok_or_else(|| Error::Internal(format!("unchecked related event “{}”", r.event)))?,
                    relation: term(RelationKind::parse(&r.relation), &r.relation)?,
                    note: r.note.trim().to_owned(),
                    inference: r.inference.clone(),
                })
            })
            .collect::<Result<_, Error>>()?;
        let outcome = if new {
            loader.fill_imported_event(id, &fields, by).await?;
            Outcome::Created
        } else {
            fields.removed_citations = loader.citation_ids(id).await?;
            loader.import_event(id, &fields, status, by).await?
        };
        report.note(Entity::Event, outcome, &event.key, &event.title, id);
        loader.keep_key(Entity::Event, &event.key, id, false).await?;
    }

    finish(loader, options).await?;
    Ok(report)
}

/// How an import found a record of the file.
enum Found {
    /// By the key an earlier import gave it when creating it: the file's fields apply.
    Keyed(i64),
    /// By name, code or address (now or when its key was given), or merged since: the
    /// record keeps its own fields. The text says how.
    Matched(i64, &'static str),
    New,
}

/// An actor of the file found among those the database holds, before a new one is made:
/// a country by its ISO code, any actor of the same kind by its name or one of its
/// aliases. Several candidates are an error that names them.
async fn find_actor(
    loader: &mut Loader,
    finder: &ActorFinder,
    actor: &ActorRecord,
    iso_code: Option<&str>,
) -> Result<Option<(i64, &'static str)>, Error> {
    if let Some(code) = iso_code
        && let Some(id) = loader.country_with_code(code).await?
    {
        return Ok(Some((id, "ISO code")));
    }
    let kind = ActorKind::parse(&actor.kind);
    let mut found: Vec<i64> = Vec::new();
    for name in std::iter::once(&actor.name).chain(&actor.aliases) {
        for candidate in finder.find(name) {
            if Some(candidate.kind) == kind && !found.contains(&candidate.id) {
                found.push(candidate.id);
            }
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [id] => Ok(Some((*id, "name or alias"))),
        many => Err(Error::Invalid(format!(
            "actor “{}” (key “{}”) matches several actors already recorded: {}. Give it the key \
             of one of them from an export, or a name only one of them has.",
            actor.name,
            actor.key,
            many.iter()
                .map(|id| format!("#{id}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// An event of the file as the fields an editor would save, with its actors and
/// sources resolved (its relations are added once every event has an id).
fn event_fields(
    event: &EventRecord,
    checked: &Checked<'_>,
    actor_ids: &HashMap<&str, i64>,
    source_ids: &HashMap<&str, i64>,
) -> Result<EventFields, Error> {
    let actor = |key: &str| {
        actor_ids
            .get(key)
            .copied()
            .ok_or_else(|| Error::Internal(format!("unchecked actor “{key}”")))
    };
    let date = checked
        .dates
        .get(&DateKey::Event(&event.key))
        .cloned()
        .ok_or_else(|| Error::Internal(format!("unchecked date for event {}", event.key)))?;
    let mut tags: Vec<String> = event.tags.iter().map(|t| t.trim().to_lowercase()).collect();
    tags.sort();
    tags.dedup();
    Ok(EventFields {
        title: event.title.trim().to_owned(),
        event_type: term(EventType::parse(&event.event_type), &event.event_type)?,
        agreement_kind: match &event.agreement_kind {
            Some(kind) => Some(term(AgreementKind::parse(kind), kind)?),
            None => None,
        },
        date,
        date_note: event.date_note.trim().to_owned(),
        key_dates: KeyDates {
            announced: checked
                .dates
                .get(&DateKey::Further(&event.key, "announced"))
                .cloned(),
            signed: checked
                .dates
                .get(&DateKey::Further(&event.key, "signed"))
                .cloned(),
            in_force: checked
                .dates
                .get(&DateKey::Further(&event.key, "in_force"))
                .cloned(),
        },
        place: event
            .place
            .as_ref()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
        place_inference: event.place_inference.clone(),
        date_note_inference: event.date_note_inference.clone(),
        location_country_id: event.location_country.as_deref().map(actor).transpose()?,
        summary: event.summary.clone(),
        tags,
        participants: event
            .actors
            .iter()
            .map(|p| {
                Ok(ParticipantInput {
                    actor: ActorChoice::Existing(actor(&p.actor)?),
                    role: p.role.trim().to_owned(),
                    title: p
                        .title
                        .as_ref()
                        .map(|t| t.trim().to_owned())
                        .filter(|t| !t.is_empty()),
                    inference: p.inference.clone(),
                })
            })
            .collect::<Result<_, Error>>()?,
        citations: (0..)
            .zip(&event.citations)
            .map(|(position, c)| {
                let source = source_ids
                    .get(c.source.as_str())
                    .copied()
                    .ok_or_else(|| Error::Internal(format!("unchecked source “{}”", c.source)))?;
                Ok(CitationInput {
                    target: CitationTarget::New(SourceChoice::Existing(source)),
                    passage: c.passage.trim().to_owned(),
                    claimed_date: checked.dates.get(&DateKey::Claim(&event.key, position)).cloned(),
                    claimed_date_rank: c.claimed_date_rank,
                    claimed_date_rank_reason: c.claimed_date_rank_reason.trim().to_owned(),
                    note: c.note.trim().to_owned(),
                    claims: c.claims.clone(),
                })
            })
            .collect::<Result<_, Error>>()?,
        removed_citations: Vec::new(),
        relations: Vec::new(),
        verification: event.verification.as_deref().and_then(Verification::parse),
        verification_reason: event.verification_reason.trim().to_owned(),
    })
}

/// The published collection as a dataset, ready to be imported elsewhere: every record
/// keeps the key an import gave it, or gets `actor-12`, `source-3`, `event-19`. Actors
/// are listed countries first, then by id, so that importing the file into an empty
/// database and exporting again gives the same file.
pub async fn export_dataset(db: &Db) -> Result<Dataset, Error> {
    let mut collection = db.published_collection().await?;
    let mut taken: HashSet<String> = HashSet::new();
    // A key made up here must not be one another record already holds (a later import
    // of this file would find that record instead).
    let held = std::mem::take(&mut collection.taken_keys);
    let mut key_for = |entity: Entity, id: i64, stored: Option<String>| {
        let own = stored.is_some();
        let mut key = stored.unwrap_or_else(|| format!("{entity}-{id}"));
        while (!own && held.contains(&(entity, key.clone()))) || !taken.insert(format!("{entity}:{key}")) {
            key = format!("{key}-{id}");
        }
        key
    };
    let mut actors: Vec<_> = collection.actors;
    actors.sort_by_key(|(id, actor, _)| (actor.kind != ActorKind::Country, *id));
    let actor_keys: HashMap<i64, String> = actors
        .iter()
        .map(|(id, _, key)| (*id, key_for(Entity::Actor, *id, key.clone())))
        .collect();
    let source_keys: HashMap<i64, String> = collection
        .sources
        .iter()
        .map(|(id, _, key)| (*id, key_for(Entity::Source, *id, key.clone())))
        .collect();
    let event_keys: HashMap<i64, String> = collection
        .events
        .iter()
        .map(|(id, _, key)| (*id, key_for(Entity::Event, *id, key.clone())))
        .collect();
    // Keys given here are remembered, so that importing this file into this database
    // again finds the records instead of making copies.
    let mut new_keys: Vec<(Entity, i64, String)> = Vec::new();
    for (entity, records, keys) in [
        (
            Entity::Actor,
            actors
                .iter()
                .map(|(id, _, k)| (*id, k.is_none()))
                .collect::<Vec<_>>(),
            &actor_keys,
        ),
        (
            Entity::Source,
            collection
                .sources
                .iter()
                .map(|(id, _, k)| (*id, k.is_none()))
                .collect(),
            &source_keys,
        ),
        (
            Entity::Event,
            collection
                .events
                .iter()
                .map(|(id, _, k)| (*id, k.is_none()))
                .collect(),
            &event_keys,
        ),
    ] {
        for (id, unkeyed) in records {
            if let (true, Some(key)) = (unkeyed, keys.get(&id)) {
                new_keys.push((entity, id, key.clone()));
            }
        }
    }
    db.keep_keys(&new_keys).await?;
    let keyed = |keys: &HashMap<i64, String>, id: i64| {
        keys.get(&id)
            .cloned()
            .ok_or_else(|| Error::Internal(format!("record #{id} is named but not exported")))
    };
    let mut dataset = Dataset::default();
    for (id, actor, _) in &actors {
        dataset.actors.push(ActorRecord {
            key: keyed(&actor_keys, *id)?,
            kind: actor.kind.as_str().to_owned(),
            name: actor.name.clone(),
            aliases: actor.aliases.clone(),
            iso_code: actor.iso_code.clone(),
            country: actor.country_id.map(|c| keyed(&actor_keys, c)).transpose()?,
            description: actor.description.clone(),
        });
    }
    // A source derived from another follows it, so that an import finds it written.
    let parents: HashMap<i64, i64> = collection
        .sources
        .iter()
        .filter_map(|(id, source, _)| Some((*id, source.derived_from?)))
        .collect();
    let depth = |mut id: i64| {
        let mut depth = 0;
        while let Some(&parent) = parents.get(&id) {
            id = parent;
            depth += 1;
            if depth > parents.len() {
                break;
            }
        }
        depth
    };
    let mut sources: Vec<_> = collection.sources.iter().collect();
    sources.sort_by_key(|(id, _, _)| depth(*id));
    for (id, source, _) in sources {
        dataset.sources.push(SourceRecord {
            key: keyed(&source_keys, *id)?,
            outlet: source.outlet.clone(),
            title: source.title.clone(),
            url: source.url.clone(),
            published: source.published.as_ref().map(EventDate::edtf),
            author: source.author.clone(),
            notes: source.notes.clone(),
            archive_url: source.archive_url.clone(),
            retrieved: source.retrieved.as_ref().map(EventDate::edtf),
            derived_from: source
                .derived_from
                .map(|parent| keyed(&source_keys, parent))
                .transpose()?,
            derived_note: source.derived_note.clone(),
        });
    }
    for outlet in &collection.outlets {
        dataset.outlets.push(OutletRecord {
            name: outlet.name.clone(),
            kind: outlet.kind.as_str().to_owned(),
            country: outlet.country_id.map(|c| keyed(&actor_keys, c)).transpose()?,
            language: outlet.language.clone(),
            note: outlet.note.clone(),
        });
    }
    for (id, event, _) in &collection.events {
        dataset.events.push(EventRecord {
            key: keyed(&event_keys, *id)?,
            title: event.title.clone(),
            event_type: event.event_type.as_str().to_owned(),
            agreement_kind: event.agreement_kind.map(|k| k.as_str().to_owned()),
            date: event.date.edtf(),
            date_note: event.date_note.clone(),
            place_inference: event.place_inference.clone(),
            date_note_inference: event.date_note_inference.clone(),
            announced: event.key_dates.announced.as_ref().map(EventDate::edtf),
            signed: event.key_dates.signed.as_ref().map(EventDate::edtf),
            in_force: event.key_dates.in_force.as_ref().map(EventDate::edtf),
            place: event.place.clone(),
            location_country: event
                .location_country_id
                .map(|c| keyed(&actor_keys, c))
                .transpose()?,
            summary: event.summary.clone(),
            status: event.status.as_str().to_owned(),
            verification: event.verification.map(|v| v.as_str().to_owned()),
            verification_reason: event.verification_reason.clone(),
            tags: event.tags.clone(),
            actors: event
                .participants
                .iter()
                .map(|p| {
                    Ok(ParticipantRecord {
                        actor: keyed(&actor_keys, p.actor_id)?,
                        role: p.role.clone(),
                        title: p.title.clone(),
                        inference: p.inference.clone(),
                    })
                })
                .collect::<Result<_, Error>>()?,
            citations: event
                .citations
                .iter()
                .map(|c| {
                    Ok(CitationRecord {
                        source: keyed(&source_keys, c.source_id)?,
                        passage: c.passage.clone(),
                        claimed_date: c.claimed_date.as_ref().map(EventDate::edtf),
                        claimed_date_rank: c.claimed_date_rank,
                        claimed_date_rank_reason: c.claimed_date_rank_reason.clone(),
                        claims: c.claims.clone(),
                        note: c.note.clone(),
                    })
                })
                .collect::<Result<_, Error>>()?,
            relations: event
                .relations
                .iter()
                .map(|r| {
                    Ok(RelationRecord {
                        relation: r.relation.as_str().to_owned(),
                        event: keyed(&event_keys, r.to_event_id)?,
                        note: r.note.clone(),
                        inference: r.inference.clone(),
                    })
                })
                .collect::<Result<_, Error>>()?,
        });
    }
    Ok(dataset)
}

/// The dataset format as a JSON Schema (draft 2020-12), generated from the types above,
/// so that the published schema (`docs/dataset.schema.json`) cannot drift from what
/// `import` reads.
pub fn dataset_json_schema() -> serde_json::Value {
    use utoipa::PartialSchema;
    let mut parts = Vec::new();
    <Dataset as ToSchema>::schemas(&mut parts);
    let defs: serde_json::Map<String, serde_json::Value> = parts
        .into_iter()
        .map(|(name, schema)| (name, serde_json::to_value(schema).unwrap_or_default()))
        .collect();
    let mut schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "entente dataset",
    });
    if let (Some(root), serde_json::Value::Object(fields)) = (
        schema.as_object_mut(),
        serde_json::to_value(Dataset::schema()).unwrap_or_default(),
    ) {
        root.extend(fields);
        root.insert("$defs".to_owned(), serde_json::Value::Object(defs));
    }
    let text = schema.to_string().replace("#/components/schemas/", "#/$defs/");
    serde_json::from_str(&text).unwrap_or(schema)
}

/// One row of a CSV file in the export's columns, read.
#[derive(Debug, Clone)]
struct CsvRow {
    /// The file's line of the row (for messages).
    line: u64,
    /// Made of the title and the date, so that the same row imported again is found.
    key: String,
    /// The `id` and the permalink's path (`/events/19/slug`) of an exported row.
    permalink: Option<(i64, String)>,
    title: String,
    event_type: EventType,
    agreement_kind: Option<AgreementKind>,
    date: EventDate,
    countries: Vec<String>,
    actors: Vec<String>,
    status: EventStatus,
}

/// A CSV file in the export's columns (`/timeline.csv`), read and checked.
#[derive(Debug, Clone)]
pub struct CsvBatch {
    rows: Vec<CsvRow>,
}

impl CsvBatch {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// Names joined with `; ` in one cell.
fn names_in(cell: &str) -> Vec<String> {
    cell.split(';')
        .map(|name| name.trim().trim_start_matches('\'').to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

/// Reads a CSV file with a header row: `title`, `type` and `date` are required;
/// `id`, `agreement_kind`, `countries`, `actors` and `status` are read when present;
/// the export's other columns (`url`, `date_shown`, `earliest`, `latest`, `precision`,
/// `sources`) are derived and ignored. Every problem is reported with its line and
/// column.
pub fn parse_csv(text: &str) -> Result<CsvBatch, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Invalid(format!("the CSV file cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    let missing: Vec<&str> = ["title", "type", "date"]
        .into_iter()
        .filter(|name| column(name).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::Invalid(format!(
            "the CSV file needs the columns {} (found: {})",
            missing.join(", "),
            header.join(", ")
        )));
    }
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut keys = HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(format!("the CSV file cannot be read: {e}"));
                break;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or("").trim();
        let mut problem =
            |name: &str, reason: String| problems.push(format!("line {line}, {name}: {reason}"));
        let title = cell("title").trim_start_matches('\'').to_owned();
        if title.is_empty() {
            problem("title", "a title is needed".to_owned());
        }
        let event_type = EventType::parse(cell("type"));
        if event_type.is_none() {
            problem(
                "type",
                format!("“{}” is not one of {}", cell("type"), EventType::terms()),
            );
        }
        let agreement_kind = match cell("agreement_kind") {
            "" => None,
            kind => {
                let parsed = AgreementKind::parse(kind);
                if parsed.is_none() {
                    problem(
                        "agreement_kind",
                        format!("“{kind}” is not one of {}", AgreementKind::terms()),
                    );
                } else if event_type != Some(EventType::Agreement) {
                    problem(
                        "agreement_kind",
                        "only agreements have an agreement kind".to_owned(),
                    );
                }
                parsed
            }
        };
        let date = EventDate::parse(cell("date"));
        if let Err(e) = &date {
            problem("date", e.to_string());
        }
        let status = match cell("status") {
            "" => Some(EventStatus::Draft),
            text => EventStatus::parse(text).filter(|s| *s != EventStatus::Retracted),
        };
        if status.is_none() {
            problem(
                "status",
                format!("“{}” is not draft or published", cell("status")),
            );
        }
        let key = format!("csv:{}:{}", fold(&title), cell("date"));
        if !cell("id").is_empty() && cell("id").parse::<i64>().is_err() {
            problem("id", format!("“{}” is not an event id", cell("id")));
        }
        if !keys.insert(key.clone()) {
            problem("title", "another row has the same title and date".to_owned());
        }
        let permalink = cell("id").parse::<i64>().ok().and_then(|id| {
            let url = cell("url");
            let path = url.find("/events/").map(|start| url[start..].to_owned())?;
            Some((id, path))
        });
        if let (Some(event_type), Ok(date), Some(status)) = (event_type, date, status) {
            rows.push(CsvRow {
                line,
                key,
                permalink,
                title,
                event_type,
                agreement_kind,
                date,
                countries: names_in(cell("countries")),
                actors: names_in(cell("actors")),
                status,
            });
        }
    }
    if problems.is_empty() {
        Ok(CsvBatch { rows })
    } else {
        Err(Error::Invalid(format!(
            "the CSV file has {} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        )))
    }
}

/// Imports the events of a CSV file, in one transaction, like a dataset: a row of this
/// database's own CSV export is found by its permalink (`id` and `url` together), any
/// row by the key its title and date make, so a second import of the same file changes
/// nothing. A row found takes
/// the file's title, type, agreement kind and date, and keeps everything else (its
/// participants, sources, summary, status). A row not found becomes an event with its
/// countries and actors as participants (`party` and `participant`), found by name or
/// alias: a name entente does not know is an error, since a CSV cell cannot say what
/// kind of actor it is.
pub async fn import_csv(
    db: &Db,
    batch: &CsvBatch,
    options: ImportOptions<'_>,
) -> Result<ImportReport, Error> {
    let finder = db.actor_finder().await?;
    let mut problems = Vec::new();
    let mut participants: Vec<Vec<ParticipantInput>> = Vec::with_capacity(batch.rows.len());
    for row in &batch.rows {
        let mut found = Vec::new();
        for (names, column, role, countries) in [
            (&row.countries, "countries", "party", true),
            (&row.actors, "actors", "participant", false),
        ] {
            for name in names {
                let candidates: Vec<_> = finder
                    .find(name)
                    .into_iter()
                    .filter(|a| (a.kind == ActorKind::Country) == countries)
                    .collect();
                match candidates.as_slice() {
                    [one] => found.push(ParticipantInput {
                        actor: ActorChoice::Existing(one.id),
                        role: role.to_owned(),
                        title: None,
                        inference: None,
                    }),
                    [] => problems.push(format!(
                        "line {}, {column}: no {} is called “{name}”; add it first, or import a dataset file",
                        row.line,
                        if countries { "country" } else { "actor" }
                    )),
                    many => problems.push(format!(
                        "line {}, {column}: “{name}” names several actors ({})",
                        row.line,
                        many.iter()
                            .map(|a| format!("#{}", a.id))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
        }
        participants.push(found);
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(format!(
            "the CSV file has {} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        )));
    }
    let summary = options.summary();
    let by = options.importer(&summary);
    let mut report = ImportReport::for_run(options);
    let mut loader = db.loader().await?;
    for (row, participants) in batch.rows.iter().zip(participants) {
        // A row of this database's own export names its event by its permalink (its id
        // and its current address together: an id alone may be another database's, or a
        // spreadsheet's row number); other rows by their title and date.
        let mut found = None;
        if let Some((id, path)) = &row.permalink
            && loader
                .event_slug(*id)
                .await?
                .is_some_and(|slug| *path == crate::paths::event(*id, &slug))
        {
            report.matched(
                Entity::Event,
                &row.key,
                &row.title,
                *id,
                "permalink",
                String::new(),
            );
            found = Some(*id);
        }
        if found.is_none() {
            found = loader.keyed(Entity::Event, &row.key).await?.map(|k| k.id);
        }
        let (id, outcome) = match found {
            Some(id) => {
                let (mut fields, status) = loader.event_as_fields(id).await?;
                fields.title = row.title.clone();
                fields.event_type = row.event_type;
                fields.agreement_kind = row.agreement_kind;
                fields.date = row.date.clone();
                fields.removed_citations = loader.citation_ids(id).await?;
                (id, loader.import_event(id, &fields, status, by).await?)
            }
            None => {
                let fields = EventFields {
                    title: row.title.clone(),
                    event_type: row.event_type,
                    agreement_kind: row.agreement_kind,
                    date: row.date.clone(),
                    date_note: String::new(),
                    key_dates: KeyDates::default(),
                    place: None,
                    place_inference: None,
                    date_note_inference: None,
                    location_country_id: None,
                    summary: String::new(),
                    tags: Vec::new(),
                    participants,
                    citations: Vec::new(),
                    removed_citations: Vec::new(),
                    relations: Vec::new(),
                    verification: None,
                    verification_reason: String::new(),
                };
                let id = loader.insert_bare_event(&fields, row.status).await?;
                loader.fill_imported_event(id, &fields, by).await?;
                (id, Outcome::Created)
            }
        };
        report.note(Entity::Event, outcome, &row.key, &row.title, id);
        loader.keep_key(Entity::Event, &row.key, id, false).await?;
    }
    finish(loader, options).await?;
    Ok(report)
}
