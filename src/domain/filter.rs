//! What a timeline view is: the filter a researcher sets in the query string, its sort,
//! and the cursor of a page. Pure values: the store turns a filter into SQL
//! (`store::listing`), the web layer reads and writes it as a query string, and later the
//! API and exports take the same filter.

use crate::dates::{EventDate, parse_iso_day};
use crate::domain::search::SearchQuery;
use crate::domain::{EventStatus, EventType, Verification};

/// Which way the timeline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// Newest first: what a reader following the news expects.
    #[default]
    Desc,
    /// Oldest first: how a story unfolds.
    Asc,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Desc => "desc",
            Order::Asc => "asc",
        }
    }

    pub fn flipped(self) -> Order {
        match self {
            Order::Desc => Order::Asc,
            Order::Asc => Order::Desc,
        }
    }
}

/// How a timeline is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// By date, newest or oldest first.
    Date(Order),
    /// Best match first; only meaningful with a search (without one: newest first).
    Relevance,
}

impl Default for Sort {
    fn default() -> Self {
        Sort::Date(Order::Desc)
    }
}

/// Where a page of the timeline stands: the sort key of one event.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    Date {
        sort: String,
        latest: String,
        id: i64,
    },
    /// `rank`: the match's bm25 score (lower is better) in billionths, as the store
    /// sorts by it (`listing::RANK_KEY`).
    Rank {
        rank: i64,
        id: i64,
    },
}

impl Key {
    pub fn id(&self) -> i64 {
        match self {
            Key::Date { id, .. } | Key::Rank { id, .. } => *id,
        }
    }
}

/// A page boundary: the events after, or before, one event's key.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    After(Key),
    Before(Key),
}

impl Cursor {
    pub fn key(&self) -> &Key {
        match self {
            Cursor::After(key) | Cursor::Before(key) => key,
        }
    }

    /// The cursor as a URL-safe token. Readers should treat it as opaque; its form is
    /// `a` (after) or `b` (before), then `d` and the date key or `r` and the rank key,
    /// separated by `_`.
    pub fn encode(&self) -> String {
        let (side, key) = match self {
            Cursor::After(key) => ('a', key),
            Cursor::Before(key) => ('b', key),
        };
        match key {
            Key::Date { sort, latest, id } => format!("{side}d_{sort}_{latest}_{id}"),
            Key::Rank { rank, id } => format!("{side}r_{rank}_{id}"),
        }
    }

    /// Reads a token made by [`Cursor::encode`]; anything else is None.
    pub fn decode(token: &str) -> Option<Cursor> {
        let (head, rest) = token.split_once('_')?;
        let key = match (head.get(1..)?, rest.split('_').collect::<Vec<_>>().as_slice()) {
            ("d", [sort, latest, id]) => {
                parse_iso_day(sort)?;
                parse_iso_day(latest)?;
                Key::Date {
                    sort: (*sort).to_owned(),
                    latest: (*latest).to_owned(),
                    id: id.parse().ok()?,
                }
            }
            ("r", [rank, id]) => Key::Rank {
                rank: rank.parse().ok().or_else(|| {
                    // A link made before ranks were kept in billionths.
                    let score = rank.parse::<f64>().ok().filter(|r| r.is_finite())?;
                    Some((score * 1e9) as i64)
                })?,
                id: id.parse().ok()?,
            },
            _ => return None,
        };
        match head.get(..1)? {
            "a" => Some(Cursor::After(key)),
            "b" => Some(Cursor::Before(key)),
            _ => None,
        }
    }
}

/// What the timeline is narrowed to. The default shows every published event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineFilter {
    /// Publication status; anything but published is for editors only (the web layer
    /// checks who asks).
    pub status: EventStatus,
    /// ISO codes; an event must involve every one of them (two codes: a country pair).
    pub countries: Vec<String>,
    /// An actor (by id) that must take part in the event.
    pub actor: Option<i64>,
    /// Event types; an event must be of one of them.
    pub types: Vec<EventType>,
    /// A tag the event must carry.
    pub tag: Option<String>,
    /// An outlet that must be among the event's sources.
    pub outlet: Option<String>,
    /// An event matches when any day it can stand for is on or after this date's first day.
    pub from: Option<EventDate>,
    /// ... and on or before this date's last day.
    pub to: Option<EventDate>,
    /// Words to find in titles, names, summaries and passages.
    pub search: Option<SearchQuery>,
    /// Verification statuses (as readers see them); an event must have one of them.
    pub verification: Vec<Verification>,
    /// Only events with a claim, or a source's date, ranked alternative.
    pub alternatives: bool,
    /// Only events with exactly this many independent sources.
    pub independent: Option<i64>,
    pub sort: Sort,
}

impl TimelineFilter {
    /// Whether anything narrows the timeline (the order does not).
    pub fn is_active(&self) -> bool {
        self.status != EventStatus::Published
            || !self.countries.is_empty()
            || self.actor.is_some()
            || !self.types.is_empty()
            || self.tag.is_some()
            || self.outlet.is_some()
            || self.from.is_some()
            || self.to.is_some()
            || self.search.is_some()
            || !self.verification.is_empty()
            || self.alternatives
            || self.independent.is_some()
    }

    /// What identifies the set of matching events (everything but the sort), for caches.
    pub fn cache_key(&self) -> String {
        format!(
            "s={} c={:?} a={:?} t={:?} g={:?} o={:?} f={:?} u={:?} q={:?} v={:?} alt={} i={:?}",
            self.status.as_str(),
            self.countries,
            self.actor,
            self.types,
            self.tag,
            self.outlet,
            self.from.as_ref().map(EventDate::edtf),
            self.to.as_ref().map(EventDate::edtf),
            self.search.as_ref().map(|s| &s.fts),
            self.verification,
            self.alternatives,
            self.independent,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{Cursor, Key};

    #[test]
    fn a_rank_cursor_reads_back_and_an_older_link_s_score_becomes_billionths() {
        let cursor = Cursor::After(Key::Rank {
            rank: -10_123_456_789,
            id: 42,
        });
        assert_eq!(cursor.encode(), "ar_-10123456789_42");
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(
            Cursor::decode("br_-1.5_4"),
            Some(Cursor::Before(Key::Rank {
                rank: -1_500_000_000,
                id: 4
            }))
        );
        assert_eq!(Cursor::decode("ar_NaN_4"), None);
        assert_eq!(Cursor::decode("ar_inf_4"), None);
    }
}
