//! Labels and renderings shared by several pages, so that an event type or a date reads
//! the same everywhere.

use crate::dates::EventDate;
use crate::domain::AgreementKind;
use crate::domain::search::split_marked;
use crate::store::ActorRef;
use crate::store::events::TimelineEntry;

/// A stored timestamp (`2026-12-01T20:30:31Z`) as pages show it: `2026-12-01 20:30:31 UTC`.
pub fn timestamp(at: &str) -> String {
    at.replace('T', " ").replace('Z', " UTC")
}

/// The stored spelling of a name (a tag, an outlet) asked for in any case: the exact
/// spelling first, else the first that differs only in case.
pub fn stored_spelling<'a>(known: &'a [String], asked: &str) -> Option<&'a String> {
    known.iter().find(|k| *k == asked).or_else(|| {
        let asked = asked.to_lowercase();
        known.iter().find(|k| k.to_lowercase() == asked)
    })
}

/// A source's address when it is safe to link: http or https only, so that a
/// `javascript:` or `data:` address stored by mistake never becomes a live link.
pub fn web_link(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let scheme = url.split_once(':')?.0.to_ascii_lowercase();
    (matches!(scheme.as_str(), "http" | "https") && url.len() > scheme.len() + 3).then(|| url.to_owned())
}

/// An EDTF date as a reader sees it ("Jun – 31 Jul 2023"); text that does not parse
/// (which the store never holds) is shown as written rather than hidden.
pub fn human_date(edtf: &str) -> String {
    EventDate::parse(edtf).map_or_else(|_| edtf.to_owned(), |d| d.display())
}

/// A value for `<time datetime>`, only where the date is one plain year, month or day.
pub fn machine_date(edtf: &str) -> Option<String> {
    machine_date_of(edtf, &EventDate::parse(edtf).ok()?)
}

/// [`machine_date`] of a date already parsed from `edtf`.
fn machine_date_of(edtf: &str, date: &EventDate) -> Option<String> {
    let plain = edtf.len() <= 10 && edtf.chars().all(|c| c.is_ascii_digit() || c == '-');
    (plain && !date.is_interval() && date.precision() != crate::dates::DatePrecision::Season)
        .then(|| date.edtf())
}

/// One event as a line of a timeline.
pub struct EntryView {
    pub url: String,
    pub title: String,
    pub date: String,
    pub machine_date: Option<String>,
    pub precision: &'static str,
    pub event_type: &'static str,
    pub type_label: &'static str,
    pub agreement_label: Option<&'static str>,
    pub countries: Vec<ActorRef>,
    pub actors: Vec<ActorRef>,
    /// Actors not listed to keep the line short.
    pub more_actors: usize,
    pub source_count: i64,
    /// How many of them are independent of each other.
    pub independent_count: i64,
    pub verification: crate::domain::Verification,
    /// The role of the actor whose page lists this entry.
    pub role: Option<String>,
    /// With a search: the title in parts, matched words flagged (empty otherwise).
    pub title_parts: Vec<(String, bool)>,
    /// With a search: the best-matching stretch of the event's text, in the same parts;
    /// empty when the match is only in the title.
    pub snippet: Vec<(String, bool)>,
}

/// How many non-country actors a timeline line names.
const ACTORS_PER_ENTRY: usize = 4;

impl EntryView {
    pub fn new(entry: TimelineEntry) -> Self {
        let date = EventDate::parse(&entry.date_edtf).ok();
        let precision = date.as_ref().map_or("", |d| d.precision().label());
        let more_actors = entry.actors.len().saturating_sub(ACTORS_PER_ENTRY);
        let mut actors = entry.actors;
        actors.truncate(ACTORS_PER_ENTRY);
        let title_parts = entry
            .marked_title
            .as_deref()
            .map(split_marked)
            .unwrap_or_default();
        let mut snippet = entry.snippet.as_deref().map(split_marked).unwrap_or_default();
        let snippet_text: String = snippet.iter().map(|(text, _)| text.as_str()).collect();
        if snippet_text == entry.title || !snippet.iter().any(|(_, hit)| *hit) {
            snippet.clear();
        }
        EntryView {
            url: crate::paths::event(entry.id, &entry.slug),
            date: date
                .as_ref()
                .map_or_else(|| entry.date_edtf.clone(), EventDate::display),
            machine_date: date.as_ref().and_then(|d| machine_date_of(&entry.date_edtf, d)),
            precision,
            type_label: entry.event_type.label(),
            agreement_label: entry.agreement_kind.map(AgreementKind::label),
            event_type: entry.event_type.as_str(),
            title: entry.title,
            countries: entry.countries,
            actors,
            more_actors,
            source_count: entry.source_count,
            independent_count: entry.independent_count,
            verification: entry.verification,
            role: entry.role,
            title_parts,
            snippet,
        }
    }

    /// "1 source", "3 sources", "5 sources, 3 independent".
    pub fn sources_label(&self) -> String {
        sources_label(self.source_count, self.independent_count)
    }
}

/// How many sources an event cites, and how many of them are independent when some
/// derive from others: "1 source", "3 sources", "5 sources, 3 independent".
pub fn sources_label(sources: i64, independent: i64) -> String {
    match (sources, independent) {
        (1, _) => "1 source".to_owned(),
        (n, i) if i < n => format!("{n} sources, {i} independent"),
        (n, _) => format!("{n} sources"),
    }
}

/// Timeline entries under one heading: a month, or a year whose month is not known.
pub struct PeriodGroup {
    pub id: String,
    pub label: String,
    pub entries: Vec<EntryView>,
}

/// A year of the timeline with its periods.
pub struct YearGroup {
    pub year: String,
    pub periods: Vec<PeriodGroup>,
}

/// Groups entries (already in order) by year and month of their sort day (the earliest
/// day, or the latest when the start is open). Events
/// known only to the year or season get their own "month not known" group, so that they
/// are never shown as if they happened in January.
pub fn group_by_period(entries: Vec<TimelineEntry>) -> Vec<YearGroup> {
    let mut years: Vec<YearGroup> = Vec::new();
    for entry in entries {
        let anchor = &entry.date_sort;
        let year = anchor.get(..4).unwrap_or("????").to_owned();
        let month = match entry.date_precision.as_str() {
            "month" | "day" => anchor.get(5..7).and_then(|m| m.parse::<usize>().ok()),
            _ => None,
        };
        let (id, label) = match month {
            Some(m @ 1..=12) => (
                format!("y{year}-{m:02}"),
                format!("{} {year}", crate::dates::month_name(m)),
            ),
            _ => (format!("y{year}-unknown"), format!("{year}, month not known")),
        };
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearGroup {
                year: year.clone(),
                periods: Vec::new(),
            });
        }
        let Some(current_year) = years.last_mut() else {
            continue;
        };
        if current_year.periods.last().is_none_or(|p| p.id != id) {
            current_year.periods.push(PeriodGroup {
                id,
                label,
                entries: Vec::new(),
            });
        }
        if let Some(period) = current_year.periods.last_mut() {
            period.entries.push(EntryView::new(entry));
        }
    }
    years
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        for good in [
            "https://example.org/a",
            "http://example.org",
            " HTTPS://EXAMPLE.ORG/x ",
        ] {
            assert!(web_link(Some(good)).is_some(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "//evil.example",
            "https:",
            "example.org",
            "",
        ] {
            assert_eq!(web_link(Some(bad)), None, "{bad}");
        }
        assert_eq!(web_link(None), None);
    }
}
