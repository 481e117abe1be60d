//! The published collection as flat tables, for the Data Package (`/data/…`): events,
//! their participants, tags, citations, claims and relations, and the actors, aliases
//! and sources they name. Each table is read a page at a time in rowid order, so that a
//! whole table streams without being held in memory; only what readers of the pages may
//! see is listed.

use sqlx::Row;

use super::Db;
use super::actors::PUBLIC_ACTOR;
use super::subjects::PUBLIC_SOURCE;
use crate::error::Result;

/// A column of a table: its name, its Table Schema type and what it holds.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// `integer`, `string` or `date` (Frictionless Table Schema types).
    pub kind: &'static str,
    pub description: &'static str,
}

/// A column, as a constant (so that the tables' column lists are `'static`).
macro_rules! column {
    ($name:literal, $kind:literal, $description:literal) => {
        Column {
            name: $name,
            kind: $kind,
            description: $description,
        }
    };
}

/// A foreign key: this table's field, the table and field it refers to.
pub type ForeignKey = (&'static str, &'static str, &'static str);

/// One table of the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Events,
    Participants,
    Tags,
    Actors,
    Aliases,
    Sources,
    Citations,
    Claims,
    Relations,
}

impl Table {
    pub const ALL: [Table; 9] = [
        Table::Events,
        Table::Participants,
        Table::Tags,
        Table::Actors,
        Table::Aliases,
        Table::Sources,
        Table::Citations,
        Table::Claims,
        Table::Relations,
    ];

    /// The resource's name and its file's name without `.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Table::Events => "events",
            Table::Participants => "participants",
            Table::Tags => "tags",
            Table::Actors => "actors",
            Table::Aliases => "aliases",
            Table::Sources => "sources",
            Table::Citations => "citations",
            Table::Claims => "claims",
            Table::Relations => "relations",
        }
    }

    pub fn parse(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn description(self) -> &'static str {
        match self {
            Table::Events => "Published events, one row each.",
            Table::Participants => "Who took part in each event, in what role, in order.",
            Table::Tags => "The tags of each event.",
            Table::Actors => "Countries, people, organizations and facilities named by the events.",
            Table::Aliases => "Other names of the actors, in any script.",
            Table::Sources => "The publications the events cite.",
            Table::Citations => {
                "Each event's sources, with the passage relied on and the source's own date for the event."
            }
            Table::Claims => {
                "What a source claims in a citation, and who made the claim according to the source."
            }
            Table::Relations => "Links between events: \"from_event_id <relation> to_event_id\".",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            Table::Events => &[
                column!("id", "integer", "The event's id; its page is /events/{id}."),
                column!("title", "string", ""),
                column!(
                    "type",
                    "string",
                    "meeting, visit, agreement, statement, production, transfer, deployment, intelligence_claim, exercise, sanction or other."
                ),
                column!(
                    "agreement_kind",
                    "string",
                    "For agreements: mou, treaty, roadmap, contract, protocol or other."
                ),
                column!(
                    "date",
                    "string",
                    "The date as the editors know it, in EDTF (2023-07-31, 2023-06~, 2022-06/..)."
                ),
                column!("earliest", "date", "The first day the date can stand for."),
                column!("latest", "date", "The last day the date can stand for."),
                column!("precision", "string", "year, season, month or day."),
                column!("date_note", "string", "How the date was established."),
                column!("place", "string", ""),
                column!(
                    "location_country_id",
                    "integer",
                    "The country of the place (actors.id)."
                ),
                column!("summary", "string", "Markdown."),
                column!(
                    "created_at",
                    "string",
                    "When the event was first saved (UTC, RFC 3339)."
                ),
                column!(
                    "updated_at",
                    "string",
                    "When it was last changed (UTC, RFC 3339)."
                ),
            ],
            Table::Participants => &[
                column!("event_id", "integer", ""),
                column!("actor_id", "integer", ""),
                column!(
                    "role",
                    "string",
                    "party, signatory, host, visitor, reporter, mentioned…"
                ),
                column!("title", "string", "A person's title at the time of the event."),
                column!("position", "integer", "Order within the event."),
            ],
            Table::Tags => &[column!("event_id", "integer", ""), column!("tag", "string", "")],
            Table::Actors => &[
                column!("id", "integer", "The actor's id; its page is /actors/{id}."),
                column!("kind", "string", "country, person, organization or facility."),
                column!("name", "string", ""),
                column!("iso_code", "string", "Countries: ISO 3166-1 alpha-2."),
                column!("country_id", "integer", "The country the actor belongs to."),
                column!("description", "string", ""),
            ],
            Table::Aliases => &[column!("actor_id", "integer", ""), column!("alias", "string", "")],
            Table::Sources => &[
                column!("id", "integer", ""),
                column!("outlet", "string", ""),
                column!("title", "string", ""),
                column!("url", "string", ""),
                column!("published", "string", "Publication date, in EDTF."),
                column!("author", "string", ""),
                column!("notes", "string", ""),
                column!(
                    "archive_url",
                    "string",
                    "An archived copy's address, for when url no longer answers."
                ),
                column!(
                    "retrieved",
                    "string",
                    "The day an editor retrieved the source, in EDTF."
                ),
                column!(
                    "derived_from_id",
                    "integer",
                    "The source this one rewrites or reports, when that source is in this table."
                ),
                column!("derived_note", "string", "How it derives from that source."),
            ],
            Table::Citations => &[
                column!("id", "integer", ""),
                column!("event_id", "integer", ""),
                column!("source_id", "integer", ""),
                column!("position", "integer", "Order within the event."),
                column!(
                    "passage",
                    "string",
                    "The words of the source the event relies on."
                ),
                column!(
                    "claimed_date",
                    "string",
                    "The source's own date for the event, in EDTF."
                ),
                column!(
                    "claimed_date_rank",
                    "string",
                    "How the editors hold that date: preferred, alternative (disputed) or deprecated."
                ),
                column!("claimed_date_rank_reason", "string", "Why the date has its rank."),
                column!("note", "string", ""),
            ],
            Table::Claims => &[
                column!("id", "integer", ""),
                column!("citation_id", "integer", ""),
                column!("position", "integer", "Order within the citation."),
                column!(
                    "topic",
                    "string",
                    "What the claim is about, worded alike across sources."
                ),
                column!(
                    "value",
                    "string",
                    "The claimed value as text; for a quantity, its rendering."
                ),
                column!(
                    "attributed_to",
                    "string",
                    "Who made the claim according to the source."
                ),
                column!(
                    "rank",
                    "string",
                    "How the editors hold the claim against the others on its topic: preferred, alternative (disputed) or deprecated."
                ),
                column!("rank_reason", "string", "Why the claim has its rank."),
                column!(
                    "quantity_bound",
                    "string",
                    "For a quantity: exactly, about, at_least, more_than, up_to or less_than."
                ),
                column!(
                    "quantity_low",
                    "number",
                    "For a quantity: the figure, or the low end of a range."
                ),
                column!("quantity_high", "number", "For a range: its high end."),
                column!(
                    "quantity_unit",
                    "string",
                    "For a quantity: what is counted, or an ISO 4217 currency code."
                ),
                column!(
                    "quantity_as_of",
                    "string",
                    "For a quantity: the day, month or year it stood at, in EDTF."
                ),
            ],
            Table::Relations => &[
                column!("id", "integer", ""),
                column!("from_event_id", "integer", ""),
                column!(
                    "relation",
                    "string",
                    "follows_from, part_of, same_as, contradicts or related_to."
                ),
                column!("to_event_id", "integer", ""),
                column!("note", "string", ""),
            ],
        }
    }

    pub fn primary_key(self) -> &'static [&'static str] {
        match self {
            Table::Participants => &["event_id", "actor_id", "role"],
            Table::Tags => &["event_id", "tag"],
            Table::Aliases => &["actor_id", "alias"],
            _ => &["id"],
        }
    }

    pub fn foreign_keys(self) -> &'static [ForeignKey] {
        match self {
            Table::Events => &[("location_country_id", "actors", "id")],
            Table::Participants => &[("event_id", "events", "id"), ("actor_id", "actors", "id")],
            Table::Tags => &[("event_id", "events", "id")],
            Table::Actors => &[("country_id", "actors", "id")],
            Table::Aliases => &[("actor_id", "actors", "id")],
            Table::Sources => &[],
            Table::Citations => &[("event_id", "events", "id"), ("source_id", "sources", "id")],
            Table::Claims => &[("citation_id", "citations", "id")],
            Table::Relations => &[("from_event_id", "events", "id"), ("to_event_id", "events", "id")],
        }
    }

    /// The page query: the row's rowid, then its columns as text; `?1` is the rowid to
    /// start after, `?2` the page size.
    fn select(self) -> String {
        let published = "ev.status = 'published'";
        match self {
            Table::Events => format!(
                "SELECT ev.rowid, ev.id, ev.title, ev.event_type, ev.agreement_kind, ev.date_edtf, \
                        ev.date_earliest, ev.date_latest, ev.date_precision, ev.date_note, ev.place, \
                        ev.location_country_id, ev.summary, ev.created_at, ev.updated_at \
                   FROM events ev WHERE ev.rowid > ?1 AND {published} ORDER BY ev.rowid LIMIT ?2"
            ),
            Table::Participants => format!(
                "SELECT ea.rowid, ea.event_id, ea.actor_id, ea.role, ea.title, ea.position \
                   FROM event_actors ea JOIN events ev ON ev.id = ea.event_id \
                  WHERE ea.rowid > ?1 AND {published} ORDER BY ea.rowid LIMIT ?2"
            ),
            Table::Tags => format!(
                "SELECT et.rowid, et.event_id, t.name FROM event_tags et \
                   JOIN tags t ON t.id = et.tag_id JOIN events ev ON ev.id = et.event_id \
                  WHERE et.rowid > ?1 AND {published} ORDER BY et.rowid LIMIT ?2"
            ),
            Table::Actors => format!(
                "SELECT a.rowid, a.id, a.kind, a.name, a.iso_code, a.country_id, a.description \
                   FROM actors a WHERE a.rowid > ?1 AND {PUBLIC_ACTOR} ORDER BY a.rowid LIMIT ?2"
            ),
            Table::Aliases => format!(
                "SELECT al.rowid, al.actor_id, al.alias FROM actor_aliases al JOIN actors a ON a.id = al.actor_id \
                  WHERE al.rowid > ?1 AND {PUBLIC_ACTOR} ORDER BY al.rowid LIMIT ?2"
            ),
            Table::Sources => format!(
                "SELECT s.rowid, s.id, s.outlet, s.title, s.url, s.published_edtf, s.author, s.notes, \
                        s.archive_url, s.retrieved_edtf, \
                        (SELECT p.id FROM sources p WHERE p.id = s.derived_from_id AND {parent_public}), \
                        s.derived_note \
                   FROM sources s WHERE s.rowid > ?1 AND {PUBLIC_SOURCE} ORDER BY s.rowid LIMIT ?2",
                parent_public = PUBLIC_SOURCE.replace("s.id", "p.id")
            ),
            Table::Citations => format!(
                "SELECT ci.rowid, ci.id, ci.event_id, ci.source_id, ci.position, ci.passage, \
                        ci.claimed_date_edtf, ci.claimed_date_rank, ci.claimed_date_rank_reason, ci.note \
                   FROM citations ci JOIN events ev ON ev.id = ci.event_id \
                  WHERE ci.rowid > ?1 AND {published} ORDER BY ci.rowid LIMIT ?2"
            ),
            Table::Claims => format!(
                "SELECT cl.rowid, cl.id, cl.citation_id, cl.position, cl.topic, cl.value, cl.attributed_to, \
                        cl.rank, cl.rank_reason, cl.quantity_bound, cl.quantity_low, cl.quantity_high, \
                        cl.quantity_unit, cl.quantity_as_of \
                   FROM claims cl JOIN citations ci ON ci.id = cl.citation_id JOIN events ev ON ev.id = ci.event_id \
                  WHERE cl.rowid > ?1 AND {published} ORDER BY cl.rowid LIMIT ?2"
            ),
            Table::Relations => format!(
                "SELECT r.rowid, r.id, r.from_event_id, r.relation, r.to_event_id, r.note \
                   FROM event_relations r JOIN events ev ON ev.id = r.from_event_id \
                   JOIN events other ON other.id = r.to_event_id \
                  WHERE r.rowid > ?1 AND {published} AND other.status = 'published' \
                  ORDER BY r.rowid LIMIT ?2"
            ),
        }
    }
}

/// A page of a table: each row's rowid (the next page starts after the last) and its
/// values, as text (empty for none).
pub type TableRows = Vec<(i64, Vec<String>)>;

/// A table read as one snapshot: rows saved meanwhile (an event's participants
/// rewritten by a save, with new rowids) neither show twice nor half.
pub struct TableReader {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
}

impl Db {
    /// A reader holding a read transaction (and so one read connection) until dropped.
    pub async fn table_reader(&self) -> Result<TableReader> {
        Ok(TableReader {
            tx: self.read.begin().await?,
        })
    }
}

impl TableReader {
    /// Up to `limit` rows of `table` after rowid `after`.
    pub async fn page(&mut self, table: Table, after: i64, limit: i64) -> Result<TableRows> {
        let rows = sqlx::query(&table.select())
            .bind(after)
            .bind(limit)
            .fetch_all(&mut *self.tx)
            .await?;
        let width = table.columns().len();
        let mut page = Vec::with_capacity(rows.len());
        for row in rows {
            let rowid: i64 = row.try_get(0)?;
            let mut values = Vec::with_capacity(width);
            for i in 1..=width {
                let value = match row.try_get::<Option<String>, _>(i) {
                    Ok(text) => text.unwrap_or_default(),
                    Err(_) => match row.try_get::<Option<i64>, _>(i) {
                        Ok(n) => n.map(|n| n.to_string()).unwrap_or_default(),
                        Err(_) => row
                            .try_get::<Option<f64>, _>(i)?
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                    },
                };
                values.push(value);
            }
            page.push((rowid, values));
        }
        Ok(page)
    }
}
