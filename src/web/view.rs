//! Labels and renderings shared by several pages, so that an event type or a date reads
//! the same everywhere.

use crate::dates::EventDate;
use crate::store::ActorRef;
use crate::store::events::TimelineEntry;
use crate::store::search::split_marked;

/// Bytes kept as they are in a path segment (RFC 3986 unreserved); all others are
/// percent-encoded.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A tag's page.
pub fn tag_url(name: &str) -> String {
    format!(
        "/tags/{}",
        percent_encoding::utf8_percent_encode(name, PATH_SEGMENT)
    )
}

/// An outlet's page.
pub fn outlet_url(name: &str) -> String {
    format!(
        "/outlets/{}",
        percent_encoding::utf8_percent_encode(name, PATH_SEGMENT)
    )
}

/// A source's address when it is safe to link: http or https only, so that a
/// `javascript:` or `data:` address stored by mistake never becomes a live link.
pub fn web_link(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let scheme = url.split_once(':')?.0.to_ascii_lowercase();
    (matches!(scheme.as_str(), "http" | "https") && url.len() > scheme.len() + 3).then(|| url.to_owned())
}

/// A reader's label for an event type.
pub fn event_type_label(event_type: &str) -> &'static str {
    match event_type {
        "meeting" => "Meeting",
        "visit" => "Visit",
        "agreement" => "Agreement",
        "statement" => "Statement",
        "production" => "Production",
        "transfer" => "Transfer",
        "deployment" => "Deployment",
        "intelligence_claim" => "Intelligence claim",
        "exercise" => "Exercise",
        "sanction" => "Sanction",
        _ => "Other",
    }
}

/// A reader's label for a kind of agreement.
pub fn agreement_kind_label(kind: &str) -> &'static str {
    match kind {
        "mou" => "Memorandum of understanding",
        "treaty" => "Treaty",
        "roadmap" => "Roadmap",
        "contract" => "Contract",
        "protocol" => "Protocol",
        _ => "Other agreement",
    }
}

/// A reader's label for a kind of actor, in the plural for headings.
pub fn actor_kind_plural(kind: &str) -> &'static str {
    match kind {
        "country" => "Countries",
        "person" => "People",
        "organization" => "Organizations",
        _ => "Facilities",
    }
}

/// A reader's label for a kind of actor.
pub fn actor_kind_label(kind: &str) -> &'static str {
    match kind {
        "country" => "Country",
        "person" => "Person",
        "organization" => "Organization",
        _ => "Facility",
    }
}

/// How a relation reads from the event the reader is on.
pub fn relation_label(relation: &str, inverse: bool) -> &'static str {
    match (relation, inverse) {
        ("follows_from", false) => "Follows from",
        ("follows_from", true) => "Led to",
        ("part_of", false) => "Part of",
        ("part_of", true) => "Includes",
        ("same_as", _) => "Same event as",
        ("contradicts", _) => "Contradicted by or contradicts",
        _ => "Related to",
    }
}

/// An EDTF date as a reader sees it ("Jun – 31 Jul 2023"); text that does not parse
/// (which the store never holds) is shown as written rather than hidden.
pub fn human_date(edtf: &str) -> String {
    EventDate::parse(edtf).map_or_else(|_| edtf.to_owned(), |d| d.display())
}

/// A value for `<time datetime>`, only where the date is one plain year, month or day.
pub fn machine_date(edtf: &str) -> Option<String> {
    let plain = edtf.len() <= 10 && edtf.chars().all(|c| c.is_ascii_digit() || c == '-');
    let date = EventDate::parse(edtf).ok()?;
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
    pub event_type: String,
    pub type_label: &'static str,
    pub agreement_label: Option<&'static str>,
    pub countries: Vec<ActorRef>,
    pub actors: Vec<ActorRef>,
    /// Actors not listed to keep the line short.
    pub more_actors: usize,
    pub source_count: i64,
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
            url: format!("/events/{}/{}", entry.id, entry.slug),
            date: human_date(&entry.date_edtf),
            machine_date: machine_date(&entry.date_edtf),
            precision,
            type_label: event_type_label(&entry.event_type),
            agreement_label: entry.agreement_kind.as_deref().map(agreement_kind_label),
            event_type: entry.event_type,
            title: entry.title,
            countries: entry.countries,
            actors,
            more_actors,
            source_count: entry.source_count,
            role: entry.role,
            title_parts,
            snippet,
        }
    }

    /// "1 source", "3 sources".
    pub fn sources_label(&self) -> String {
        match self.source_count {
            1 => "1 source".to_owned(),
            n => format!("{n} sources"),
        }
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

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

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
            Some(m @ 1..=12) => (format!("y{year}-{m:02}"), format!("{} {year}", MONTHS[m - 1])),
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

    #[test]
    fn names_become_single_path_segments() {
        assert_eq!(outlet_url("The Cradle"), "/outlets/The%20Cradle");
        assert_eq!(outlet_url("RFE/RL"), "/outlets/RFE%2FRL");
        assert_eq!(tag_url("défense-industry"), "/tags/d%C3%A9fense-industry");
    }
}
