//! Writing whole datasets in one transaction: either everything lands or nothing does.
//! [`crate::import`] validates records and resolves keys; this module only writes rows.

use sqlx::{Sqlite, Transaction};

use super::{Db, fold, slugify};
use crate::dates::{EventDate, iso_day};
use crate::domain::{
    ActorKind, AgreementKind, Claim, EventStatus, EventType, Rank, RelationKind, Source, Verification,
};
use crate::error::Result;

/// An open write transaction for loading a dataset.
pub struct Loader {
    pub(super) tx: Transaction<'static, Sqlite>,
    /// Events written so far, whose search documents are written at commit.
    pub(super) events: Vec<i64>,
    db: Db,
    /// New events' rows not written yet (see [`Loader::add_event`]).
    batch: Option<EventBatch>,
    /// The connection's page cache before this load enlarged it (see [`Loader::bulk`]).
    bulk: Option<i64>,
    /// Indexes set aside while a load fills an empty database: (name, CREATE statement).
    set_aside: Vec<(String, String)>,
}

/// The tables whose rows a load writes in bulk, whose indexes a load into an empty
/// database sets aside and builds again at the end: one sort per index instead of a
/// million inserts at random places in it, which at a million events did not fit in
/// the page cache.
const BULK_TABLES: &str =
    "'events', 'event_actors', 'sources', 'citations', 'claims', 'event_tags', 'import_keys'";

/// The page cache of a connection writing a whole dataset, in KiB (SQLite's negative
/// `cache_size`). A load of many rows in one transaction outgrows the default 2 MB:
/// SQLite then spills changed pages to the write-ahead log and reads them back, which
/// took a third of a 100,000-event load and made the derived rows of a million events
/// take six minutes instead of two (1 GB was not enough; the database is 3 GB). It
/// grows only as far as the load needs; the default comes back at commit, which frees
/// the pages (a server's write connection keeps only the default).
const BULK_CACHE_KIB: i64 = 4_194_304;

/// What a dataset says of a new event beside its row: who took part, what it cites,
/// its tags, the editors' verification and inferences, its further dates.
pub struct NewEventParts<'a> {
    pub verification: Option<Verification>,
    pub verification_reason: &'a str,
    pub key_dates: &'a crate::domain::KeyDates,
    pub place_inference: Option<&'a str>,
    pub date_note_inference: Option<&'a str>,
    pub participants: Vec<NewParticipant<'a>>,
    /// (position, source id, citation).
    pub citations: Vec<(i64, i64, NewCitation<'a>)>,
    pub tags: &'a [String],
}

/// Who took part in a new event, at which position among its participants.
pub struct NewParticipant<'a> {
    pub position: i64,
    pub actor_id: i64,
    pub role: &'a str,
    pub title: Option<&'a str>,
    /// The editors' reason, when the participation is their inference.
    pub inference: Option<&'a str>,
}

/// A participant's row as [`EventBatch`] writes it.
struct ParticipantRow {
    event_id: i64,
    actor_id: i64,
    role: String,
    title: Option<String>,
    position: i64,
    inference: Option<String>,
}

/// New events' rows gathered for multi-row inserts (see [`super::bulk`]), with the ids
/// they will have: the load holds the write lock, so ids are handed out here.
#[derive(Default)]
struct EventBatch {
    next_event: i64,
    next_citation: i64,
    next_source: i64,
    /// Outlet names as written (their names now, after renames).
    outlet_names: std::collections::HashMap<String, String>,
    /// (id, outlet name now, source).
    sources: Vec<(i64, String, Source)>,
    tag_ids: std::collections::HashMap<String, i64>,
    events: Vec<EventRow>,
    participants: Vec<ParticipantRow>,
    citations: Vec<CitationRow>,
    claims: Vec<(i64, i64, Claim)>,
    tags: Vec<(i64, i64)>,
}

/// An event's row as [`EventBatch`] writes it.
struct EventRow {
    id: i64,
    title: String,
    slug: String,
    summary: String,
    event_type: EventType,
    agreement_kind: Option<AgreementKind>,
    date: EventDate,
    date_note: String,
    place: Option<String>,
    location_country_id: Option<i64>,
    status: EventStatus,
    verification: Option<Verification>,
    verification_reason: String,
    key_dates: crate::domain::KeyDates,
    place_inference: Option<String>,
    date_note_inference: Option<String>,
}

/// A citation's row as [`EventBatch`] writes it.
struct CitationRow {
    id: i64,
    event_id: i64,
    source_id: i64,
    passage: String,
    claimed_date: Option<String>,
    note: String,
    position: i64,
    rank: Rank,
    rank_reason: String,
}

impl EventRow {
    /// The row of a new event, as an editor or a dataset gives it: no verification,
    /// further dates or inferences yet.
    fn new(id: i64, event: &NewEvent<'_>) -> EventRow {
        EventRow {
            id,
            title: event.title.trim().to_owned(),
            slug: slugify(event.title, "event"),
            summary: event.summary.to_owned(),
            event_type: event.event_type,
            agreement_kind: event.agreement_kind,
            date: event.date.clone(),
            date_note: event.date_note.to_owned(),
            place: event.place.map(str::to_owned),
            location_country_id: event.location_country_id,
            status: event.status,
            verification: None,
            verification_reason: String::new(),
            key_dates: crate::domain::KeyDates::default(),
            place_inference: None,
            date_note_inference: None,
        }
    }
}

impl CitationRow {
    fn new(id: i64, event_id: i64, source_id: i64, citation: &NewCitation<'_>, position: i64) -> CitationRow {
        CitationRow {
            id,
            event_id,
            source_id,
            passage: citation.passage.trim().to_owned(),
            claimed_date: citation.claimed_date.map(EventDate::edtf),
            note: citation.note.trim().to_owned(),
            position,
            rank: citation.claimed_date_rank,
            rank_reason: citation.claimed_date_rank_reason.trim().to_owned(),
        }
    }
}

/// Writes events' rows: the one statement shape for one new event and for a batch.
async fn write_events(conn: &mut sqlx::SqliteConnection, rows: &[EventRow]) -> Result<()> {
    super::bulk::insert_rows(
        conn,
        "INSERT INTO events (id, title, slug, summary, event_type, agreement_kind, date_edtf, date_earliest, \
             date_latest, date_sort, date_precision, date_note, place, location_country_id, status, \
             verification, verification_reason, announced_edtf, signed_edtf, in_force_edtf, \
             place_inference, date_note_inference)",
        "",
        22,
        rows,
        |values, e| {
            values
                .push_bind(e.id)
                .push_bind(e.title.as_str())
                .push_bind(e.slug.as_str())
                .push_bind(e.summary.as_str())
                .push_bind(e.event_type)
                .push_bind(e.agreement_kind)
                .push_bind(e.date.edtf())
                .push_bind(iso_day(e.date.earliest()))
                .push_bind(iso_day(e.date.latest()))
                .push_bind(iso_day(e.date.sort_day()))
                .push_bind(e.date.precision().as_str())
                .push_bind(e.date_note.as_str())
                .push_bind(e.place.as_deref())
                .push_bind(e.location_country_id)
                .push_bind(e.status)
                .push_bind(e.verification)
                .push_bind(e.verification_reason.as_str())
                .push_bind(e.key_dates.announced.as_ref().map(EventDate::edtf))
                .push_bind(e.key_dates.signed.as_ref().map(EventDate::edtf))
                .push_bind(e.key_dates.in_force.as_ref().map(EventDate::edtf))
                .push_bind(e.place_inference.as_deref())
                .push_bind(e.date_note_inference.as_deref());
        },
    )
    .await
}

/// Writes sources' rows, (id, outlet name now, source): for one and for a batch.
async fn write_sources(conn: &mut sqlx::SqliteConnection, rows: &[(i64, String, Source)]) -> Result<()> {
    super::bulk::insert_rows(
        conn,
        "INSERT INTO sources (id, outlet, title, url, published_edtf, published_earliest, author, notes, \
                              archive_url, retrieved_edtf, derived_from_id, derived_note)",
        "",
        12,
        rows,
        |values, (id, outlet, source)| {
            values
                .push_bind(*id)
                .push_bind(outlet.as_str())
                .push_bind(source.title.trim())
                .push_bind(source.url.as_deref())
                .push_bind(source.published.as_ref().map(EventDate::edtf))
                .push_bind(source.published.as_ref().map(|d| iso_day(d.earliest())))
                .push_bind(source.author.as_deref())
                .push_bind(source.notes.trim())
                .push_bind(source.archive_url.as_deref())
                .push_bind(source.retrieved.as_ref().map(EventDate::edtf))
                .push_bind(source.derived_from)
                .push_bind(source.derived_note.trim());
        },
    )
    .await
}

/// Writes participants' rows (the same actor in the same role twice is one link): for
/// one and for a batch.
async fn write_participants(conn: &mut sqlx::SqliteConnection, rows: &[ParticipantRow]) -> Result<()> {
    super::bulk::insert_rows(
        conn,
        "INSERT OR IGNORE INTO event_actors (event_id, actor_id, role, title, position, inference)",
        "",
        6,
        rows,
        |values, p| {
            values
                .push_bind(p.event_id)
                .push_bind(p.actor_id)
                .push_bind(p.role.as_str())
                .push_bind(p.title.as_deref())
                .push_bind(p.position)
                .push_bind(p.inference.as_deref());
        },
    )
    .await
}

/// Writes citations' rows: for one and for a batch.
async fn write_citations(conn: &mut sqlx::SqliteConnection, rows: &[CitationRow]) -> Result<()> {
    super::bulk::insert_rows(
        conn,
        "INSERT INTO citations (id, event_id, source_id, passage, claimed_date_edtf, note, position, \
                                claimed_date_rank, claimed_date_rank_reason)",
        "",
        9,
        rows,
        |values, c| {
            values
                .push_bind(c.id)
                .push_bind(c.event_id)
                .push_bind(c.source_id)
                .push_bind(c.passage.as_str())
                .push_bind(c.claimed_date.as_deref())
                .push_bind(c.note.as_str())
                .push_bind(c.position)
                .push_bind(c.rank)
                .push_bind(c.rank_reason.as_str());
        },
    )
    .await
}

/// New events gathered before their rows are written.
const BATCH_EVENTS: usize = 500;

/// Trimmed, and None when empty.
fn reason(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned)
}

/// An event ready to be written: validated, with its date parsed and keys resolved.
pub struct NewEvent<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub event_type: EventType,
    pub agreement_kind: Option<AgreementKind>,
    pub date: &'a EventDate,
    pub date_note: &'a str,
    pub place: Option<&'a str>,
    pub location_country_id: Option<i64>,
    pub status: EventStatus,
}

impl<'a> NewEvent<'a> {
    /// The row of an event an editor (or an import) sets up with `fields`.
    pub fn of(
        fields: &'a crate::domain::edit::EventFields,
        location_country_id: Option<i64>,
        status: EventStatus,
    ) -> NewEvent<'a> {
        NewEvent {
            title: &fields.title,
            summary: &fields.summary,
            event_type: fields.event_type,
            agreement_kind: fields.agreement_kind,
            date: &fields.date,
            date_note: &fields.date_note,
            place: fields.place.as_deref(),
            location_country_id,
            status,
        }
    }
}

impl Db {
    /// Starts a dataset load on the write connection.
    pub async fn loader(&self) -> Result<Loader> {
        Ok(Loader {
            tx: self.begin_write().await?,
            events: Vec::new(),
            db: self.clone(),
            batch: None,
            bulk: None,
            set_aside: Vec::new(),
        })
    }
}

/// The id for a new row of `table`: past every id the table has held, so that an id is
/// never given twice, even after the newest row was deleted or merged away (its history
/// and its redirects keep pointing at it). Constant fragments only.
fn next_id(table: &str, entity: &str) -> String {
    let redirects = if entity == "actor" {
        " UNION ALL SELECT max(old_id) FROM actor_redirects"
    } else {
        ""
    };
    format!(
        "(SELECT coalesce(max(m), 0) + 1 FROM (SELECT max(id) AS m FROM {table} \
           UNION ALL SELECT max(entity_id) FROM revisions WHERE entity = '{entity}'{redirects}))"
    )
}

impl Loader {
    pub async fn insert_actor(
        &mut self,
        kind: ActorKind,
        name: &str,
        iso_code: Option<&str>,
        country_id: Option<i64>,
        description: &str,
    ) -> Result<i64> {
        let id = sqlx::query_scalar(&format!(
            "INSERT INTO actors (id, kind, name, slug, iso_code, country_id, description) \
             VALUES ({}, ?, ?, ?, ?, ?, ?) RETURNING id",
            next_id("actors", "actor")
        ))
        .bind(kind)
        .bind(name.trim())
        .bind(slugify(name, "actor"))
        .bind(iso_code.map(str::to_uppercase))
        .bind(country_id)
        .bind(description)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(id)
    }

    /// Records another name of an actor; a repeated alias is ignored.
    pub async fn insert_alias(&mut self, actor_id: i64, alias: &str) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO actor_aliases (actor_id, alias, folded) VALUES (?, ?, ?)")
            .bind(actor_id)
            .bind(alias.trim())
            .bind(fold(alias))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    pub async fn insert_source(&mut self, source: &Source) -> Result<i64> {
        let outlet = super::outlets::current_name(&mut self.tx, &source.outlet).await?;
        let id = self.next_id_of("sources", "source").await?;
        write_sources(&mut self.tx, &[(id, outlet, source.clone())]).await?;
        Ok(id)
    }

    pub async fn insert_event(&mut self, event: &NewEvent<'_>) -> Result<i64> {
        let id = self.next_id_of("events", "event").await?;
        write_events(&mut self.tx, &[EventRow::new(id, event)]).await?;
        self.events.push(id);
        Ok(id)
    }

    /// The id the next new row of `table` takes (see [`next_id`]).
    async fn next_id_of(&mut self, table: &str, entity: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(&format!("SELECT {}", next_id(table, entity)))
            .fetch_one(&mut *self.tx)
            .await?)
    }

    /// Links an actor to an event; the same actor in the same role twice is one link.
    pub async fn insert_participant(
        &mut self,
        event_id: i64,
        actor_id: i64,
        role: &str,
        title: Option<&str>,
        position: i64,
        inference: Option<&str>,
    ) -> Result<()> {
        let row = ParticipantRow {
            event_id,
            actor_id,
            role: role.to_owned(),
            title: title.map(str::to_owned),
            position,
            inference: reason(inference),
        };
        write_participants(&mut self.tx, &[row]).await
    }

    /// Cites a source on an event at `position`, with the source's date for the event
    /// ranked and its claims; returns the citation's id.
    pub async fn insert_citation(
        &mut self,
        event_id: i64,
        source_id: i64,
        citation: &NewCitation<'_>,
        position: i64,
    ) -> Result<i64> {
        let id: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM citations")
            .fetch_one(&mut *self.tx)
            .await?;
        write_citations(
            &mut self.tx,
            &[CitationRow::new(id, event_id, source_id, citation, position)],
        )
        .await?;
        self.insert_claims(id, citation.claims).await?;
        Ok(id)
    }

    /// Describes the outlet named `outlet.name` (its record exists once a source names
    /// it), as a whole dataset is loaded.
    pub async fn set_outlet(&mut self, outlet: &crate::domain::Outlet) -> Result<()> {
        sqlx::query(
            "UPDATE outlets SET kind = ?2, country_id = ?3, language = ?4, note = ?5 WHERE name = ?1",
        )
        .bind(outlet.name.trim())
        .bind(outlet.kind)
        .bind(outlet.country_id)
        .bind(outlet.language.trim())
        .bind(outlet.note.trim())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Marks event `id`'s place and date note as the editors' inference, each for its
    /// reason (none: the sources support it).
    pub async fn set_inferences(
        &mut self,
        id: i64,
        place: Option<&str>,
        date_note: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE events SET place_inference = ?2, date_note_inference = ?3 WHERE id = ?1")
            .bind(id)
            .bind(place.map(str::trim).filter(|r| !r.is_empty()))
            .bind(date_note.map(str::trim).filter(|r| !r.is_empty()))
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Sets when event `id` was announced, signed and entered into force.
    pub async fn set_key_dates(&mut self, id: i64, dates: &crate::domain::KeyDates) -> Result<()> {
        sqlx::query(
            "UPDATE events SET announced_edtf = ?2, signed_edtf = ?3, in_force_edtf = ?4 WHERE id = ?1",
        )
        .bind(id)
        .bind(dates.announced.as_ref().map(EventDate::edtf))
        .bind(dates.signed.as_ref().map(EventDate::edtf))
        .bind(dates.in_force.as_ref().map(EventDate::edtf))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Sets the editors' verification status of event `id` (none: the sources' status).
    pub async fn set_verification(
        &mut self,
        id: i64,
        status: Option<Verification>,
        reason: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE events SET verification = ?2, verification_reason = ?3 WHERE id = ?1")
            .bind(id)
            .bind(status)
            .bind(if status.is_some() { reason.trim() } else { "" })
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Writes a citation's claims, in order.
    pub async fn insert_claims(&mut self, citation_id: i64, claims: &[Claim]) -> Result<()> {
        super::claims::insert(&mut self.tx, citation_id, claims).await
    }

    /// Tags an event, creating the tag on first use.
    pub async fn tag_event(&mut self, event_id: i64, tag: &str) -> Result<()> {
        let tag = tag.trim().to_lowercase();
        sqlx::query("INSERT OR IGNORE INTO tags (name) VALUES (?)")
            .bind(&tag)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query(
            "INSERT OR IGNORE INTO event_tags (event_id, tag_id) SELECT ?, id FROM tags WHERE name = ?",
        )
        .bind(event_id)
        .bind(&tag)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    pub async fn relate_events(
        &mut self,
        from: i64,
        to: i64,
        relation: RelationKind,
        note: &str,
        inference: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO event_relations (from_event_id, to_event_id, relation, note, inference) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(from)
        .bind(to)
        .bind(relation)
        .bind(note)
        .bind(inference.map(str::trim).filter(|r| !r.is_empty()))
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Prepares the connection for a load of many rows (a whole dataset): a page cache
    /// that holds what the transaction changes (see [`BULK_CACHE_KIB`]) and, in an empty
    /// database, the bulk tables' indexes set aside until the commit (see
    /// [`BULK_TABLES`]). Within the transaction: a failed load leaves them as they were.
    pub async fn bulk(&mut self) -> Result<()> {
        let before: i64 = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(&mut *self.tx)
            .await?;
        sqlx::query(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))
            .execute(&mut *self.tx)
            .await?;
        self.bulk.get_or_insert(before);
        let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM events)")
            .fetch_one(&mut *self.tx)
            .await?;
        if empty && self.set_aside.is_empty() {
            // Unique indexes stay: they are constraints the load must meet.
            let indexes: Vec<(String, String)> = sqlx::query_as(&format!(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                   AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({BULK_TABLES})"
            ))
            .fetch_all(&mut *self.tx)
            .await?;
            for (name, _) in &indexes {
                // A name from the schema itself; identifiers cannot be bound.
                sqlx::query(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))
                    .execute(&mut *self.tx)
                    .await?;
            }
            self.set_aside = indexes;
        }
        Ok(())
    }

    /// Builds again the indexes [`Loader::bulk`] set aside (the commit does).
    async fn restore_indexes(&mut self) -> Result<()> {
        for (_, create) in std::mem::take(&mut self.set_aside) {
            sqlx::query(&create).execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Adds a new event with its parts, as [`Loader::insert_event`] and the per-row
    /// methods would write them, but gathered and written a few hundred events at a time
    /// (see [`super::bulk`]); returns the event's id. Anything that reads what the batch
    /// holds must call [`Loader::write_batch`] first (the commit does). The batch hands
    /// out ids itself: a load that adds events or sources this way must not also insert
    /// them row by row.
    pub async fn add_event(&mut self, event: &NewEvent<'_>, parts: NewEventParts<'_>) -> Result<i64> {
        let mut batch = self.take_batch().await?;
        let id = batch.next_event;
        batch.next_event += 1;
        batch.events.push(EventRow {
            verification: parts.verification,
            verification_reason: match parts.verification {
                Some(_) => parts.verification_reason.trim().to_owned(),
                None => String::new(),
            },
            key_dates: parts.key_dates.clone(),
            place_inference: reason(parts.place_inference),
            date_note_inference: reason(parts.date_note_inference),
            ..EventRow::new(id, event)
        });
        for participant in parts.participants {
            batch.participants.push(ParticipantRow {
                event_id: id,
                actor_id: participant.actor_id,
                role: participant.role.to_owned(),
                title: participant.title.map(str::to_owned),
                position: participant.position,
                inference: reason(participant.inference),
            });
        }
        for (position, source, citation) in parts.citations {
            let citation_id = batch.next_citation;
            batch.next_citation += 1;
            batch
                .citations
                .push(CitationRow::new(citation_id, id, source, &citation, position));
            for (position, claim) in (0..).zip(citation.claims) {
                batch.claims.push((citation_id, position, claim.clone()));
            }
        }
        for tag in parts.tags {
            let tag = tag.trim().to_lowercase();
            let tag_id = match batch.tag_ids.get(&tag) {
                Some(&tag_id) => tag_id,
                None => {
                    sqlx::query("INSERT OR IGNORE INTO tags (name) VALUES (?)")
                        .bind(&tag)
                        .execute(&mut *self.tx)
                        .await?;
                    let tag_id: i64 = sqlx::query_scalar("SELECT id FROM tags WHERE name = ?")
                        .bind(&tag)
                        .fetch_one(&mut *self.tx)
                        .await?;
                    batch.tag_ids.insert(tag, tag_id);
                    tag_id
                }
            };
            batch.tags.push((id, tag_id));
        }
        self.events.push(id);
        let full = batch.events.len() >= BATCH_EVENTS;
        self.batch = Some(batch);
        if full {
            self.write_batch().await?;
        }
        Ok(id)
    }

    /// The batch under way, or a new one with the ids its rows will take.
    async fn take_batch(&mut self) -> Result<EventBatch> {
        if let Some(batch) = self.batch.take() {
            return Ok(batch);
        }
        Ok(EventBatch {
            next_event: self.next_id_of("events", "event").await?,
            next_citation: sqlx::query_scalar("SELECT coalesce(max(id), 0) + 1 FROM citations")
                .fetch_one(&mut *self.tx)
                .await?,
            next_source: self.next_id_of("sources", "source").await?,
            ..EventBatch::default()
        })
    }

    /// Adds a new source, as [`Loader::insert_source`] writes it, gathered with the
    /// batch's other rows (see [`Loader::add_event`]); returns its id.
    pub async fn add_source(&mut self, source: Source) -> Result<i64> {
        let mut batch = self.take_batch().await?;
        let outlet = match batch.outlet_names.get(source.outlet.trim()) {
            Some(now) => now.clone(),
            None => {
                let now = super::outlets::current_name(&mut self.tx, &source.outlet).await?;
                batch
                    .outlet_names
                    .insert(source.outlet.trim().to_owned(), now.clone());
                now
            }
        };
        let id = batch.next_source;
        batch.next_source += 1;
        batch.sources.push((id, outlet, source));
        let full = batch.sources.len() >= BATCH_EVENTS;
        self.batch = Some(batch);
        if full {
            self.write_batch().await?;
        }
        Ok(id)
    }

    /// Gives the connection its default page cache back, freeing what the load used.
    async fn end_bulk(&mut self) -> Result<()> {
        if let Some(before) = self.bulk.take() {
            sqlx::query(&format!("PRAGMA cache_size = {before}"))
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Writes the rows [`Loader::add_event`] gathered.
    pub async fn write_batch(&mut self) -> Result<()> {
        let Some(batch) = self.batch.as_mut() else {
            return Ok(());
        };
        let conn = &mut *self.tx;
        write_sources(conn, &batch.sources).await?;
        write_events(conn, &batch.events).await?;
        write_participants(conn, &batch.participants).await?;
        write_citations(conn, &batch.citations).await?;
        super::claims::insert_many(conn, &batch.claims).await?;
        super::bulk::insert_rows(
            conn,
            "INSERT OR IGNORE INTO event_tags (event_id, tag_id)",
            "",
            2,
            &batch.tags,
            |values, (event, tag)| {
                values.push_bind(*event).push_bind(*tag);
            },
        )
        .await?;
        batch.sources.clear();
        batch.events.clear();
        batch.participants.clear();
        batch.citations.clear();
        batch.claims.clear();
        batch.tags.clear();
        Ok(())
    }

    /// Commits a save that was written, and drops (rolls back) one that met a newer
    /// version: nothing of a conflicting save lands, not even its baseline revision.
    pub async fn commit_saved(self, saved: super::editing::Saved) -> Result<super::editing::Saved> {
        if let super::editing::Saved::Saved { .. } = saved {
            self.commit().await?;
        }
        Ok(saved)
    }

    /// Writes the loaded events' derived rows (search, filters) and makes the whole load visible at once.
    pub async fn commit(mut self) -> Result<()> {
        self.write_batch().await?;
        let started = std::time::Instant::now();
        self.restore_indexes().await?;
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "indexes built again"
        );
        super::derived::refresh(&mut self.tx, Some(&self.events)).await?;
        if !self.db.keeps_read_index() {
            self.end_bulk().await?;
            let committing = std::time::Instant::now();
            self.tx.commit().await?;
            tracing::debug!(
                elapsed_ms = committing.elapsed().as_millis() as u64,
                "load committed"
            );
            self.db.wrote();
            self.db.after_write();
            return Ok(());
        }
        self.end_bulk().await?;
        // The read index takes the events as this transaction leaves them.
        let started = std::time::Instant::now();
        let rows = super::read_index::read_rows(&mut self.tx, &self.events).await?;
        let read = started.elapsed();
        let in_flight = self.db.write_in_flight();
        self.tx.commit().await?;
        self.db.wrote();
        let applying = std::time::Instant::now();
        self.db.apply_to_read_index(rows);
        drop(in_flight);
        tracing::debug!(
            events = self.events.len(),
            read_us = read.as_micros() as u64,
            applied_us = applying.elapsed().as_micros() as u64,
            "read index: a write's rows read and applied"
        );
        self.db.after_write();
        Ok(())
    }
}

/// A citation to write: the passage relied on, the source's date for the event with
/// its rank, a note, and the source's claims.
pub struct NewCitation<'a> {
    pub passage: &'a str,
    pub claimed_date: Option<&'a EventDate>,
    pub claimed_date_rank: Rank,
    pub claimed_date_rank_reason: &'a str,
    pub note: &'a str,
    pub claims: &'a [Claim],
}
