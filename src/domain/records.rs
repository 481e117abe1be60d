//! Entente's records as one typed picture: an event with its participants, citations,
//! claims, tags and relations; an actor with its other names; a source. The store reads
//! and writes them, revisions keep them as snapshots (see [`super::snapshot`]), and
//! history pages compare them. Field names are the snapshot's keys: renaming one needs a
//! new snapshot schema.

use serde::{Deserialize, Serialize};

use super::quantity::Quantity;
use super::vocabulary::{
    ActorKind, AgreementKind, EventStatus, EventType, OutletKind, Rank, RelationKind, Verification,
};
use crate::dates::EventDate;

/// An event as a revision keeps it: everything an editor sets, with the names and titles
/// of what it links to as they were then (so a deleted actor or source still reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub title: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    #[serde(default)]
    pub agreement_kind: Option<AgreementKind>,
    /// The date as the editor knows it.
    pub date: EventDate,
    /// How the date was established.
    #[serde(default)]
    pub date_note: String,
    /// Why the date note is the editors' inference, when no cited passage supports it.
    #[serde(default)]
    pub date_note_inference: Option<String>,
    /// When the event was announced, signed and entered into force, where sources say.
    #[serde(default, flatten)]
    pub key_dates: KeyDates,
    #[serde(default)]
    pub place: Option<String>,
    /// Why the editors give the place when no cited passage does ("editor's inference").
    #[serde(default)]
    pub place_inference: Option<String>,
    /// The country of the place (an actor of kind country).
    #[serde(default)]
    pub location_country_id: Option<i64>,
    /// That country's name then.
    #[serde(default)]
    pub location_country: Option<String>,
    /// Markdown, sanitized when shown.
    #[serde(default)]
    pub summary: String,
    pub status: EventStatus,
    /// Why a retracted event was withdrawn.
    #[serde(default)]
    pub status_reason: String,
    /// Tag names, in alphabetical order.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Who took part, in order.
    #[serde(default, rename = "actors")]
    pub participants: Vec<Participant>,
    /// The sources relied on, in order.
    #[serde(default)]
    pub citations: Vec<Citation>,
    /// Relations recorded on this event: "this event <relation> that event".
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// The editors' verification status, when they override the one the sources give.
    #[serde(default)]
    pub verification: Option<Verification>,
    /// Why the editors override it.
    #[serde(default)]
    pub verification_reason: String,
}

/// Further dates of an event, when sources give them (an agreement's signing and entry
/// into force, an announcement before the event).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KeyDates {
    #[serde(default)]
    pub announced: Option<EventDate>,
    #[serde(default)]
    pub signed: Option<EventDate>,
    #[serde(default)]
    pub in_force: Option<EventDate>,
}

impl KeyDates {
    /// Each date given, with its label: ("Announced", date)…
    pub fn labelled(&self) -> Vec<(&'static str, &EventDate)> {
        [
            ("Announced", &self.announced),
            ("Signed", &self.signed),
            ("Entered into force", &self.in_force),
        ]
        .into_iter()
        .filter_map(|(label, date)| Some((label, date.as_ref()?)))
        .collect()
    }
}

/// An actor's part in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Participant {
    pub actor_id: i64,
    /// The actor's name then.
    pub name: String,
    /// Free text: "host", "signatory", "reporter", "mentioned"…
    pub role: String,
    /// The title the person held at the time ("Defense Minister").
    #[serde(default)]
    pub title: Option<String>,
    /// Why the editors name this participant when no cited passage does.
    #[serde(default)]
    pub inference: Option<String>,
}

/// A source an event relies on: the passage, the source's own date for the event, and
/// what the source claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Citation {
    pub source_id: i64,
    /// The source's outlet then.
    pub outlet: String,
    /// The source's title then.
    #[serde(rename = "source")]
    pub source_title: String,
    #[serde(default)]
    pub passage: String,
    /// The date the source gives the event, when it gives one.
    #[serde(default)]
    pub claimed_date: Option<EventDate>,
    /// How the editors hold that date against the other sources' dates.
    #[serde(default)]
    pub claimed_date_rank: Rank,
    /// Why the date has its rank.
    #[serde(default)]
    pub claimed_date_rank_reason: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub claims: Vec<Claim>,
}

/// Something a source says ("drones delivered: over 400"), who said it according to the
/// source, and how the editors rank it against the other claims on the topic. Datasets,
/// forms and snapshots all carry claims in this form.
///
/// A value that reads as a quantity keeps it structured in `quantity`, and `value` is
/// then the quantity's one rendering; on reading, a given `quantity` wins over `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(from = "ClaimFields", deny_unknown_fields)]
pub struct Claim {
    /// What the claim is about, worded the same way across citations so that
    /// disagreements line up ("Drones Russia has received from Iran").
    pub topic: String,
    /// The claimed value as text ("more than 400 drones", "Tehran"); for a quantity,
    /// its rendering.
    pub value: String,
    /// The value as a figure, when it is one.
    #[serde(default)]
    pub quantity: Option<Quantity>,
    /// Who made the claim according to the source ("White House", "Ukrainian sources").
    #[serde(default)]
    pub attributed_to: Option<String>,
    /// How the editors hold the claim against the others on its topic.
    #[serde(default)]
    pub rank: Rank,
    /// Why the claim has its rank ("superseded by the signing ceremony's report").
    #[serde(default)]
    pub rank_reason: String,
}

/// A claim as written in a dataset, a request or a snapshot, before its value is read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimFields {
    topic: String,
    value: String,
    #[serde(default)]
    quantity: Option<Quantity>,
    #[serde(default)]
    attributed_to: Option<String>,
    #[serde(default)]
    rank: Rank,
    #[serde(default)]
    rank_reason: String,
}

impl From<ClaimFields> for Claim {
    fn from(fields: ClaimFields) -> Claim {
        // A quantity given whole counts when it is one entente would read from its own
        // rendering (so that a form shows and saves it back unchanged); else the value is
        // read as written.
        let quantity = fields
            .quantity
            .filter(|q| q.low >= 0.0 && Quantity::parse(&q.display()).as_ref() == Some(q));
        let claim = match quantity {
            Some(quantity) => Claim {
                value: quantity.display(),
                quantity: Some(quantity),
                ..Claim::new(&fields.topic, "", fields.attributed_to)
            },
            None => Claim::new(&fields.topic, &fields.value, fields.attributed_to),
        };
        claim.ranked(fields.rank, &fields.rank_reason)
    }
}

impl Claim {
    /// A preferred claim of `value` on `topic`: a quantity when the value reads as one.
    pub fn new(topic: &str, value: &str, attributed_to: Option<String>) -> Claim {
        let quantity = Quantity::parse(value);
        Claim {
            topic: topic.trim().to_owned(),
            value: quantity
                .as_ref()
                .map_or_else(|| value.trim().to_owned(), Quantity::display),
            quantity,
            attributed_to,
            rank: Rank::Preferred,
            rank_reason: String::new(),
        }
    }

    /// The claim with `rank`, for `reason`.
    pub fn ranked(self, rank: Rank, reason: &str) -> Claim {
        Claim {
            rank,
            rank_reason: reason.trim().to_owned(),
            ..self
        }
    }

    /// Whether two claims give the same value: equal quantities, or the same text up to
    /// case and spacing.
    pub fn same_value(&self, other: &Claim) -> bool {
        match (&self.quantity, &other.quantity) {
            (Some(a), Some(b)) => a == b,
            _ => super::names::fold(&self.value) == super::names::fold(&other.value),
        }
    }
}

/// "This event <relation> that event".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Relation {
    pub to_event_id: i64,
    pub relation: RelationKind,
    #[serde(default)]
    pub note: String,
    /// The other event's title then.
    #[serde(default)]
    pub title: String,
    /// Why the editors relate the events when no cited passage does.
    #[serde(default)]
    pub inference: Option<String>,
}

/// An actor with its other names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Actor {
    pub kind: ActorKind,
    pub name: String,
    /// ISO 3166-1 alpha-2, for countries.
    #[serde(default)]
    pub iso_code: Option<String>,
    /// The country a person, organization or facility belongs to.
    #[serde(default)]
    pub country_id: Option<i64>,
    /// That country's name then.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub description: String,
    /// Other names in any script, in alphabetical order; the name is not repeated.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A publisher of sources: a ministry's channel, a news agency, a think tank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outlet {
    /// The name sources give ("BelTA", "Tasnim News Agency").
    pub name: String,
    #[serde(default)]
    pub kind: OutletKind,
    /// The country the outlet belongs to (an actor of kind country).
    #[serde(default)]
    pub country_id: Option<i64>,
    /// That country's name then.
    #[serde(default)]
    pub country: Option<String>,
    /// "Persian", "Russian and English".
    #[serde(default)]
    pub language: String,
    /// What a reader should know about the outlet (whose it is, its slant).
    #[serde(default)]
    pub note: String,
}

/// A publication that events cite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Source {
    pub outlet: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub published: Option<EventDate>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub notes: String,
    /// An archived copy's address, for when `url` no longer answers.
    #[serde(default)]
    pub archive_url: Option<String>,
    /// The day an editor retrieved the source.
    #[serde(default)]
    pub retrieved: Option<EventDate>,
    /// The source this one rewrites or reports (a wire story, a think tank's report).
    #[serde(default)]
    pub derived_from: Option<i64>,
    /// How it derives from that source ("a rewrite of the TASS item").
    #[serde(default)]
    pub derived_note: String,
}

/// What is wrong with a source's address, if anything: it must parse as a web address
/// (`http` or `https`) with a host. Text for the editor fixing it.
pub fn address_problem(address: &str) -> Option<String> {
    match url::Url::parse(address.trim()) {
        Err(e) => Some(format!("not a web address ({e})")),
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => {
            Some(format!("a {} address, not http or https", parsed.scheme()))
        }
        Ok(parsed)
            if parsed
                .host_str()
                .is_none_or(|h| !h.contains('.') && h != "localhost") =>
        {
            Some("no host name in the address".to_owned())
        }
        Ok(_) => None,
    }
}

/// What a check of a source finds wanting: a malformed address or archived copy, or no
/// archived copy at all (a dead link would then lose the source).
pub fn source_problems(source: &Source) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(problem) = source.url.as_deref().and_then(address_problem) {
        problems.push(format!("address: {problem}"));
    }
    match source.archive_url.as_deref() {
        Some(archive) => {
            if let Some(problem) = address_problem(archive) {
                problems.push(format!("archived copy: {problem}"));
            }
        }
        None if source.url.is_some() => problems.push("no archived copy".to_owned()),
        None => {}
    }
    problems
}

/// Of sources `(id, source)`, the one published first: the earliest publication day
/// among those with a date (the first listed on a tie). An event is "first reported" by
/// it, on its publication date.
pub fn first_reported<'a>(sources: impl IntoIterator<Item = (i64, &'a Source)>) -> Option<(i64, &'a Source)> {
    sources
        .into_iter()
        .filter(|(_, source)| source.published.is_some())
        .min_by_key(|(_, source)| source.published.as_ref().map(|date| date.earliest()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(outlet: &str, published: Option<&str>) -> Source {
        Source {
            outlet: outlet.to_owned(),
            title: "A report".to_owned(),
            url: None,
            published: published.map(|d| EventDate::parse(d).expect("date")),
            author: None,
            notes: String::new(),
            archive_url: None,
            retrieved: None,
            derived_from: None,
            derived_note: String::new(),
        }
    }

    #[test]
    fn a_check_names_malformed_addresses_and_missing_copies() {
        let mut s = source("BelTA", None);
        assert!(source_problems(&s).is_empty(), "no address, nothing to archive");
        s.url = Some("https://belta.by/news/1".to_owned());
        assert_eq!(source_problems(&s), ["no archived copy"]);
        s.archive_url = Some("https://web.archive.org/web/2023/https://belta.by/news/1".to_owned());
        assert!(source_problems(&s).is_empty());
        s.url = Some("belta.by/news/1".to_owned());
        s.archive_url = Some("ftp://archive.example/x".to_owned());
        let problems = source_problems(&s);
        assert!(
            problems[0].starts_with("address: not a web address"),
            "{problems:?}"
        );
        assert_eq!(problems[1], "archived copy: a ftp address, not http or https");
        assert_eq!(
            address_problem("https://intranet/x").as_deref(),
            Some("no host name in the address")
        );
    }

    #[test]
    fn the_first_report_is_the_earliest_dated_source() {
        let sources = [
            source("Later", Some("2023-08-02")),
            source("Undated", None),
            source("Earlier", Some("2023-08")),
            source("Same day as later", Some("2023-08-02")),
        ];
        let first = first_reported(sources.iter().enumerate().map(|(i, s)| (i as i64, s)));
        assert_eq!(first.map(|(id, s)| (id, s.outlet.as_str())), Some((2, "Earlier")));
        assert!(
            first_reported([(0, &sources[1])]).is_none(),
            "an undated source reports nothing"
        );
    }
}
