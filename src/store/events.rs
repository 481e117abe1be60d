//! Events: the timeline listing and one event with everything it cites.

use std::collections::HashMap;

use sqlx::FromRow;

use sqlx::SqliteConnection;

use super::{ActorRef, Db};
use crate::domain::edit::OutgoingRelation;
use crate::domain::{
    ActorKind, AgreementKind, Claim, Event, EventStatus, EventType, Rank, RelationKind, Source, Verification,
};
use crate::error::{Error, Result};

/// One line of the timeline: enough to recognise an event and judge its backing.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub event_type: EventType,
    pub agreement_kind: Option<AgreementKind>,
    pub date_edtf: String,
    /// The day the timeline files the event under (see [`crate::dates::EventDate::sort_day`]).
    pub date_sort: String,
    pub date_latest: String,
    pub date_precision: String,
    pub source_count: i64,
    /// How many of them are independent (distinct roots of derived-from chains).
    pub independent_count: i64,
    /// The verification status readers see (the editors' override, else the sources').
    pub verification: Verification,
    /// The actor's role, when the listing is one actor's events.
    #[serde(skip)]
    pub role: Option<String>,
    #[serde(skip)]
    pub countries: Vec<ActorRef>,
    #[serde(skip)]
    pub actors: Vec<ActorRef>,
    /// With a search: the title with matched words marked (see [`crate::domain::search::split_marked`]).
    #[serde(skip)]
    pub marked_title: Option<String>,
    /// With a search: the passage of the event's text that matched best, marked the same way.
    #[serde(skip)]
    pub snippet: Option<String>,
}

impl TimelineEntry {
    /// About what the entry holds, itself included (for [`super::listing::EntryCache`]).
    pub fn heap_bytes(&self) -> usize {
        let actors = |list: &[ActorRef]| {
            list.iter()
                .map(|a| std::mem::size_of::<ActorRef>() + a.name.len() + a.slug.len())
                .sum::<usize>()
        };
        let text = |t: &Option<String>| t.as_ref().map_or(0, String::len);
        std::mem::size_of::<TimelineEntry>()
            + self.title.len()
            + self.slug.len()
            + self.date_edtf.len()
            + self.date_sort.len()
            + self.date_latest.len()
            + self.date_precision.len()
            + text(&self.role)
            + text(&self.marked_title)
            + text(&self.snippet)
            + actors(&self.countries)
            + actors(&self.actors)
            // The cache's key and slot.
            + 96
    }
}

/// The timeline entries of the events whose ids are the JSON array `?1`, as one JSON
/// array with a pair per event: [`TimelineEntry`]'s fields as an object, and the
/// countries and main actors it names (not those that only reported or were mentioned,
/// which are left to the event page) as the text `position id,position id,…` (see
/// [`named_actors`]). One row for a whole page: sqlx hands rows over one at a time, and
/// a page's 50 entries with their 190 actors as rows took 1.5 ms of the rendered
/// timeline's 2.3. The actors' names come from [`Db::actor_refs`]: joining them here,
/// sorting each event's and nesting their JSON took SQLite three times as long as the
/// rest of the statement.
pub(super) const ENTRIES_JSON: &str = "SELECT json_group_array(json_array(json_object( \
       'id', e.id, 'title', e.title, 'slug', e.slug, 'event_type', e.event_type, \
       'agreement_kind', e.agreement_kind, 'date_edtf', e.date_edtf, 'date_sort', e.date_sort, \
       'date_latest', e.date_latest, 'date_precision', e.date_precision, \
       'source_count', coalesce(p.sources, 0), 'independent_count', coalesce(p.independent, 0), \
       'verification', coalesce(p.shown, 'unsourced')), \
       (SELECT group_concat(ea.position || ' ' || ea.actor_id) FROM event_actors ea \
         WHERE ea.event_id = e.id AND ea.role NOT IN ('reporter', 'mentioned')))) \
     FROM events e LEFT JOIN event_provenance p ON p.event_id = e.id \
     WHERE e.id IN (SELECT value FROM json_each(?1))";

/// One element of [`ENTRIES_JSON`]'s array: the entry, and the actors it names.
pub(super) type EntryJson = (TimelineEntry, Option<String>);

/// The (position, actor id) pairs of [`ENTRIES_JSON`]'s `position id,…` text.
pub(super) fn named_actors(text: &str) -> Result<Vec<(i64, i64)>> {
    text.split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            pair.split_once(' ')
                .and_then(|(position, id)| Some((position.parse().ok()?, id.parse().ok()?)))
                .ok_or_else(|| Error::Internal(format!("an entry names the actor “{pair}”")))
        })
        .collect()
}

/// Puts the actors an entry names on it, countries apart from the others, in the order of
/// their roles' positions, then by name; an actor in two roles once, at its first.
pub(super) fn name_actors(entry: &mut TimelineEntry, mut named: Vec<(i64, &ActorRef)>) {
    named.sort_by(|(p, a), (q, b)| p.cmp(q).then_with(|| a.name.cmp(&b.name)).then(a.id.cmp(&b.id)));
    let mut seen = std::collections::HashSet::new();
    for (_, actor) in named.into_iter().filter(|(_, a)| seen.insert(a.id)) {
        if actor.kind == ActorKind::Country {
            entry.countries.push(actor.clone());
        } else {
            entry.actors.push(actor.clone());
        }
    }
}

/// Everything the event page shows.
#[derive(Debug, Clone)]
pub struct EventDetail {
    pub event: EventRow,
    pub location_country: Option<ActorRef>,
    pub participants: Vec<Participant>,
    pub citations: Vec<Citation>,
    pub tags: Vec<String>,
    pub relations: Vec<RelatedEvent>,
    /// The distinct roots of the cited sources (see `event_provenance`).
    pub independent_sources: i64,
    /// The verification status the sources give (the editors may override it).
    pub derived_verification: Verification,
}

/// The `events` row itself.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub event_type: EventType,
    pub agreement_kind: Option<AgreementKind>,
    pub date_edtf: String,
    pub date_note: String,
    pub place: Option<String>,
    pub location_country_id: Option<i64>,
    pub status: EventStatus,
    pub status_reason: String,
    /// Why the editors give the place when no cited passage does.
    pub place_inference: Option<String>,
    /// Why the date note is the editors' inference, when no cited passage supports it.
    pub date_note_inference: Option<String>,
    /// When it was announced, signed and entered into force (EDTF).
    pub announced_edtf: Option<String>,
    pub signed_edtf: Option<String>,
    pub in_force_edtf: Option<String>,
    /// The editors' verification status, overriding the one the sources give.
    pub verification: Option<Verification>,
    pub verification_reason: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// An actor's part in an event.
#[derive(Debug, Clone)]
pub struct Participant {
    pub actor: ActorRef,
    pub role: String,
    pub title: Option<String>,
    /// Why the editors name this participant when no cited passage does.
    pub inference: Option<String>,
}

/// A source an event relies on, with the passage and what the source claims.
#[derive(Debug, Clone)]
pub struct Citation {
    pub id: i64,
    pub source_id: i64,
    pub source: Source,
    pub passage: String,
    pub claimed_date_edtf: Option<String>,
    /// How the editors hold the source's date against the others'.
    pub claimed_date_rank: Rank,
    pub claimed_date_rank_reason: String,
    pub note: String,
    pub claims: Vec<Claim>,
    /// The source this one derives from, as "outlet, “title”".
    pub derived_from: Option<String>,
}

/// Another event linked to this one; `relation` is read from this event's side.
#[derive(Debug, Clone)]
pub struct RelatedEvent {
    pub relation: RelationKind,
    /// True when the link was recorded on the other event (so the inverse label applies).
    pub inverse: bool,
    pub note: String,
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub date_edtf: String,
    /// Why the editors relate the events when no cited passage does.
    pub inference: Option<String>,
}

/// A participant's row: actor id, kind, name, slug, role, title, inference.
type ParticipantRow = (
    i64,
    ActorKind,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

/// A related event's row, from either side.
type RelationRow = (
    RelationKind,
    bool,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
);

impl Db {
    /// The relations recorded on an event, to events of any status, for its edit form.
    pub async fn outgoing_relations(&self, id: i64) -> Result<Vec<OutgoingRelation>> {
        Ok(sqlx::query_as(
            "SELECT r.to_event_id, r.relation, r.note, o.title, r.inference FROM event_relations r \
               JOIN events o ON o.id = r.to_event_id WHERE r.from_event_id = ?1 ORDER BY r.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Whether an event exists (in any status).
    pub async fn event_exists(&self, id: i64) -> Result<bool> {
        Ok(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM events WHERE id = ?1)")
                .bind(id)
                .fetch_one(&self.read)
                .await?,
        )
    }

    /// One event with its participants, citations, claims, tags and relations, whatever
    /// its status (the caller decides who may see it).
    pub async fn event(&self, id: i64) -> Result<Option<EventDetail>> {
        let Some(event) = sqlx::query_as::<_, EventRow>(
            "SELECT id, title, slug, summary, event_type, agreement_kind, date_edtf, date_note, \
                    place, location_country_id, status, status_reason, verification, verification_reason, \
                    announced_edtf, signed_edtf, in_force_edtf, place_inference, date_note_inference, \
                    version, created_at, updated_at \
             FROM events WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        else {
            return Ok(None);
        };

        let location_country = match event.location_country_id {
            Some(country) => self.actor_ref(country).await?,
            None => None,
        };

        let participants = sqlx::query_as::<_, ParticipantRow>(
            "SELECT a.id, a.kind, a.name, a.slug, ea.role, ea.title, ea.inference \
             FROM event_actors ea JOIN actors a ON a.id = ea.actor_id \
             WHERE ea.event_id = ? ORDER BY ea.position, a.name",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(|(id, kind, name, slug, role, title, inference)| Participant {
            actor: ActorRef { id, kind, name, slug },
            role,
            title,
            inference,
        })
        .collect();

        let citation_rows = sqlx::query_as::<_, (i64, i64, String, Option<String>, Rank, String, String)>(
            "SELECT id, source_id, passage, claimed_date_edtf, claimed_date_rank, claimed_date_rank_reason, \
                    note FROM citations \
             WHERE event_id = ? ORDER BY position, id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let sources = cited_sources(&mut *self.read.acquire().await?, id).await?;
        let mut claims = super::claims::by_citation(&mut *self.read.acquire().await?, id).await?;
        let parents: HashMap<i64, String> = sqlx::query_as::<_, (i64, String, String)>(
            "SELECT s.id, p.outlet, p.title FROM sources s JOIN sources p ON p.id = s.derived_from_id \
              WHERE s.id IN (SELECT source_id FROM citations WHERE event_id = ?1)",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(|(source, outlet, title)| (source, format!("{outlet}, “{title}”")))
        .collect();
        let (independent_sources, derived_verification) = sqlx::query_as::<_, (i64, Verification)>(
            "SELECT independent, verification FROM event_provenance WHERE event_id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .unwrap_or((0, Verification::Unsourced));
        let mut citations = Vec::with_capacity(citation_rows.len());
        for (
            citation_id,
            source_id,
            passage,
            claimed_date_edtf,
            claimed_date_rank,
            claimed_date_rank_reason,
            note,
        ) in citation_rows
        {
            let Some(source) = sources.get(&source_id).cloned() else {
                continue;
            };
            citations.push(Citation {
                id: citation_id,
                source_id,
                source,
                passage,
                claimed_date_edtf,
                claimed_date_rank,
                claimed_date_rank_reason,
                note,
                claims: claims.remove(&citation_id).unwrap_or_default(),
                derived_from: parents.get(&source_id).cloned(),
            });
        }

        let tags = sqlx::query_scalar(
            "SELECT t.name FROM event_tags et JOIN tags t ON t.id = et.tag_id \
             WHERE et.event_id = ? ORDER BY t.name",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;

        let relations = sqlx::query_as::<_, RelationRow>(
            "SELECT relation, inverse, note, id, title, slug, date_edtf, inference FROM ( \
               SELECT r.relation, 0 AS inverse, r.note, o.id, o.title, o.slug, o.date_edtf, o.date_sort, \
                      r.inference \
                 FROM event_relations r JOIN events o ON o.id = r.to_event_id \
                WHERE r.from_event_id = ?1 AND o.status = 'published' \
               UNION ALL \
               SELECT r.relation, 1, r.note, o.id, o.title, o.slug, o.date_edtf, o.date_sort, r.inference \
                 FROM event_relations r JOIN events o ON o.id = r.from_event_id \
                WHERE r.to_event_id = ?1 AND o.status = 'published') \
             ORDER BY date_sort, id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .into_iter()
        .map(
            |(relation, inverse, note, id, title, slug, date_edtf, inference)| RelatedEvent {
                relation,
                inverse,
                note,
                id,
                title,
                slug,
                date_edtf,
                inference,
            },
        )
        .collect();

        Ok(Some(EventDetail {
            event,
            location_country,
            participants,
            citations,
            tags,
            relations,
            independent_sources,
            derived_verification,
        }))
    }
}

/// The sources an event cites, by id.
async fn cited_sources(conn: &mut SqliteConnection, event_id: i64) -> Result<HashMap<i64, Source>> {
    type SourceRow = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
        String,
    );
    let rows = sqlx::query_as::<_, SourceRow>(
        "SELECT s.id, s.outlet, s.title, s.url, s.published_edtf, s.author, s.notes, s.archive_url, \
                s.retrieved_edtf, s.derived_from_id, s.derived_note \
         FROM sources s WHERE s.id IN (SELECT source_id FROM citations WHERE event_id = ?)",
    )
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut sources = HashMap::with_capacity(rows.len());
    for (
        source_id,
        outlet,
        title,
        url,
        published,
        author,
        notes,
        archive_url,
        retrieved,
        derived_from,
        derived_note,
    ) in rows
    {
        let what = format!("source {source_id}");
        let date = |text: Option<String>| text.as_deref().map(|d| super::stored_date(d, &what)).transpose();
        let source = Source {
            outlet,
            title,
            url,
            published: date(published)?,
            author,
            notes,
            archive_url,
            retrieved: date(retrieved)?,
            derived_from,
            derived_note,
        };
        sources.insert(source_id, source);
    }
    Ok(sources)
}

/// An event as the API gives it: its record, read in one transaction with what a reader
/// may follow from it.
#[derive(Debug, Clone)]
pub struct PublishedEvent {
    pub id: i64,
    pub slug: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// The record; for a published event its relations name published events only.
    pub record: Event,
    /// The sources its citations name, in citation order.
    pub sources: Vec<(i64, Source)>,
    /// Relations other published events record to this one.
    pub inverse_relations: Vec<InverseRelation>,
}

/// "That event <relation> this event", recorded on the other event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InverseRelation {
    pub from_event_id: i64,
    pub relation: RelationKind,
    pub note: String,
    pub title: String,
    pub slug: String,
}

impl Db {
    /// An event's record with its sources and inverse relations, whatever its status
    /// (the caller decides who may see it; only a published one is filled in beyond its
    /// record).
    pub async fn published_event(&self, id: i64) -> Result<Option<PublishedEvent>> {
        let mut tx = self.read.begin().await?;
        let Some((mut record, version)) = super::revisions::event(&mut tx, id).await? else {
            return Ok(None);
        };
        let (slug, created_at, updated_at): (String, String, String) =
            sqlx::query_as("SELECT slug, created_at, updated_at FROM events WHERE id = ?1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let mut event = PublishedEvent {
            id,
            slug,
            version,
            created_at,
            updated_at,
            record: Event {
                relations: Vec::new(),
                ..record.clone()
            },
            sources: Vec::new(),
            inverse_relations: Vec::new(),
        };
        if record.status != EventStatus::Published {
            return Ok(Some(event));
        }
        let published: Vec<i64> = sqlx::query_scalar(
            "SELECT r.to_event_id FROM event_relations r JOIN events o ON o.id = r.to_event_id \
              WHERE r.from_event_id = ?1 AND o.status = 'published'",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        record.relations.retain(|r| published.contains(&r.to_event_id));
        event.record.relations = record.relations;
        let mut sources = cited_sources(&mut tx, id).await?;
        for citation in &event.record.citations {
            if let Some(source) = sources.remove(&citation.source_id) {
                event.sources.push((citation.source_id, source));
            }
        }
        event.inverse_relations = sqlx::query_as(
            "SELECT r.from_event_id, r.relation, r.note, o.title, o.slug \
               FROM event_relations r JOIN events o ON o.id = r.from_event_id \
              WHERE r.to_event_id = ?1 AND o.status = 'published' ORDER BY o.date_sort, o.id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(event))
    }
}

#[cfg(test)]
mod tests {
    use super::{ActorRef, TimelineEntry, name_actors, named_actors};
    use crate::domain::{ActorKind, EventType, Verification};

    fn actor(id: i64, kind: ActorKind, name: &str) -> ActorRef {
        ActorRef {
            id,
            kind,
            name: name.to_owned(),
            slug: name.to_lowercase(),
        }
    }

    fn names(actors: &[ActorRef]) -> Vec<&str> {
        actors.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn an_entry_names_its_actors_by_position_then_name_each_once_countries_apart() {
        let named = named_actors("1 7,0 3,0 2,1 4,2 3").expect("pairs");
        assert_eq!(named, [(1, 7), (0, 3), (0, 2), (1, 4), (2, 3)]);
        let actors = [
            actor(2, ActorKind::Country, "Iran"),
            actor(3, ActorKind::Country, "Belarus"),
            actor(4, ActorKind::Person, "Amir Nasirzadeh"),
            actor(7, ActorKind::Person, "Viktor Khrenin"),
        ];
        let by_id = |id: i64| actors.iter().find(|a| a.id == id).expect("actor");
        let mut entry: TimelineEntry = serde_json::from_value(serde_json::json!({
            "id": 1, "title": "t", "slug": "t", "event_type": EventType::Visit,
            "agreement_kind": null, "date_edtf": "2024", "date_sort": "2024-01-01",
            "date_latest": "2024-12-31", "date_precision": "year", "source_count": 1,
            "independent_count": 1, "verification": Verification::SingleSource,
        }))
        .expect("entry");
        let bare = entry.heap_bytes();
        name_actors(&mut entry, named.iter().map(|&(p, id)| (p, by_id(id))).collect());
        assert!(
            entry.heap_bytes() >= bare + 4 * std::mem::size_of::<ActorRef>() + "Viktor Khrenin".len(),
            "an entry weighs its actors"
        );
        // Belarus in two roles comes once, at its first (position 0).
        assert_eq!(names(&entry.countries), ["Belarus", "Iran"]);
        assert_eq!(names(&entry.actors), ["Amir Nasirzadeh", "Viktor Khrenin"]);
        assert!(named_actors("").expect("none").is_empty());
        assert!(
            named_actors("1 x").is_err(),
            "a malformed pair is an error, not a gap"
        );
    }
}
