//! `/api/v1/events`: a timeline view, a page at a time, and `/api/v1/events/{id}`: one
//! event with everything it cites.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use serde::Serialize;
use utoipa::ToSchema;

use super::{DateInfo, Links, stored_date};
use crate::dates::EventDate;
use crate::domain::filter::Cursor;
use crate::domain::{ActorKind, AgreementKind, Event, EventStatus, EventType, RelationKind, Source};
use crate::error::{Error, Result};
use crate::store::ActorRef;
use crate::store::events::TimelineEntry;
use crate::store::summary::{FacetValue, PeriodCount};
use crate::web::AppState;
use crate::web::extract::PathParams;
use crate::web::session::Viewer;
use crate::web::timeline::{CheckedView, View, check_view};

/// A page of a timeline view.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    /// The page's events, in the view's order.
    pub events: Vec<EventSummary>,
    /// How many events the whole view has.
    pub total: i64,
    /// The next page, when there is one.
    pub next: Option<String>,
    /// The page before, when this is not the first.
    pub previous: Option<String>,
    /// The same view on the timeline page.
    pub html_url: String,
    /// With `include=facets`: how the view's events spread over countries, types, tags
    /// and actors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// With `include=facets`: how they spread over time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub histogram: Option<Histogram>,
}

/// An event as a timeline lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventSummary {
    pub id: i64,
    /// The event's permalink (its page).
    pub url: String,
    /// The event in the API.
    pub api_url: String,
    pub title: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub agreement_kind: Option<AgreementKind>,
    /// The date as the editors know it.
    pub date: EventDate,
    pub date_info: DateInfo,
    /// Countries taking part.
    pub countries: Vec<ActorLink>,
    /// People, organizations and facilities taking part (not those only reporting or
    /// mentioned).
    pub actors: Vec<ActorLink>,
    /// How many distinct sources the event cites.
    pub source_count: i64,
    /// How many of them are independent: the distinct sources they derive from (a
    /// rewrite of a wire story counts as the wire story).
    pub independent_source_count: i64,
    /// How well the event is established: the editors' status when they override it,
    /// else the one its sources give.
    pub verification: crate::domain::Verification,
}

/// An actor, as a link.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorLink {
    pub id: i64,
    pub kind: ActorKind,
    pub name: String,
    /// The actor in the API.
    pub api_url: String,
}

impl ActorLink {
    pub(super) fn new(actor: &ActorRef, links: &Links) -> ActorLink {
        ActorLink {
            id: actor.id,
            kind: actor.kind,
            name: actor.name.clone(),
            api_url: links.to(&crate::paths::api_actor(actor.id)),
        }
    }
}

impl EventSummary {
    pub(in crate::web) fn new(entry: &TimelineEntry, links: &Links) -> Result<EventSummary> {
        let date = stored_date(&entry.date_edtf)?;
        Ok(EventSummary {
            id: entry.id,
            url: links.to(&crate::paths::event(entry.id, &entry.slug)),
            api_url: links.to(&crate::paths::api_event(entry.id)),
            title: entry.title.clone(),
            event_type: entry.event_type,
            agreement_kind: entry.agreement_kind,
            date_info: DateInfo::new(&date),
            date,
            countries: entry.countries.iter().map(|a| ActorLink::new(a, links)).collect(),
            actors: entry.actors.iter().map(|a| ActorLink::new(a, links)).collect(),
            source_count: entry.source_count,
            independent_source_count: entry.independent_count,
            verification: entry.verification,
        })
    }
}

/// The facets of a view: each value with how many of the view's events have it, most
/// frequent first (at most 30 each).
#[derive(Debug, Serialize, ToSchema)]
pub struct Facets {
    pub countries: Vec<FacetCount>,
    pub types: Vec<FacetCount>,
    pub tags: Vec<FacetCount>,
    pub actors: Vec<FacetCount>,
    /// Verification statuses, as `verification` takes them.
    pub verification: Vec<FacetCount>,
}

/// One value of a facet.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    /// What the filter parameter takes: an ISO code, a type, a tag, an actor id.
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// The view's events over time.
#[derive(Debug, Serialize, ToSchema)]
pub struct Histogram {
    /// Events dated to a month or a day, per month (`yyyy-mm`).
    pub months: Vec<PeriodTotal>,
    /// All events per year (`yyyy`), year- and season-precision ones included.
    pub years: Vec<PeriodTotal>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodTotal {
    pub period: String,
    pub count: i64,
}

fn facet_counts(values: &[FacetValue]) -> Vec<FacetCount> {
    values
        .iter()
        .map(|v| FacetCount {
            value: v.value.clone(),
            label: v.label.clone(),
            count: v.count,
        })
        .collect()
}

fn period_totals(periods: &[PeriodCount]) -> Vec<PeriodTotal> {
    periods
        .iter()
        .map(|p| PeriodTotal {
            period: p.period.clone(),
            count: p.count,
        })
        .collect()
}

/// What the API adds to the timeline's parameters: `include=facets`. The publication
/// status is not one of them: the API lists published events only.
fn api_parameters(raw: &str) -> Result<bool> {
    let mut facets = false;
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        match key.as_ref() {
            "include" => match value.trim() {
                "facets" => facets = true,
                "" => {}
                other => {
                    return Err(Error::parameter(
                        "include",
                        format!("“{other}” cannot be included: use include=facets."),
                    ));
                }
            },
            "status" if !value.trim().is_empty() => {
                return Err(Error::parameter(
                    "status",
                    "The API lists published events only; leave out the status parameter.",
                ));
            }
            _ => {}
        }
    }
    Ok(facets)
}

/// Events of a timeline view, a page at a time.
///
/// Takes exactly the timeline page's parameters, read by the same code, and lists the
/// same events in the same order as the page of the same query. Follow `next` for the
/// following page.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(
        ("q" = Option<String>, Query, description = "Search: words (all must match), \"a phrase\", -excluded, one OR other, prefix*"),
        ("country" = Option<Vec<String>>, Query, description = "A country taking part, by ISO 3166-1 alpha-2 code; give two for events involving both", explode = true),
        ("actor" = Option<String>, Query, description = "An actor taking part: its id, or a name or alias that names one actor"),
        ("type" = Option<Vec<EventType>>, Query, description = "Event types; several match any of them", explode = true),
        ("tag" = Option<String>, Query, description = "A tag"),
        ("outlet" = Option<String>, Query, description = "Events citing a source of this outlet"),
        ("verification" = Option<Vec<crate::domain::Verification>>, Query, description = "Verification statuses (the editors' override, else the sources'); several match any of them", explode = true),
        ("alternatives" = Option<String>, Query, description = "yes: events with a claim, or a source's date, the editors rank as an alternative"),
        ("independent" = Option<i64>, Query, description = "Events with exactly this many independent sources (1: resting on one source, however many rewrite it)"),
        ("from" = Option<String>, Query, description = "Events that may fall on or after this date (EDTF: 2023, 2023-06, 2023-06-15)"),
        ("to" = Option<String>, Query, description = "Events that may fall on or before this date (EDTF)"),
        ("order" = Option<String>, Query, description = "desc (newest first, the default), asc, or relevance (with q; its default)"),
        ("limit" = Option<i64>, Query, description = "Events per page, 1 to 500 (default 50)"),
        ("cursor" = Option<String>, Query, description = "A page's position, from a `next` or `previous` link"),
        ("include" = Option<String>, Query, description = "facets: add the view's facets and histogram"),
    ),
    responses(
        (status = 200, description = "A page of the view", body = EventList),
        (status = 400, description = "A parameter that cannot be understood; `parameter` names it", body = super::ApiError),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<EventList>> {
    let raw = raw.unwrap_or_default();
    let include_facets = api_parameters(&raw)?;
    let CheckedView {
        view, search_error, ..
    } = check_view(&state, &Viewer::default(), &raw, crate::paths::api_events).await?;
    if let Some((_, message)) = search_error {
        return Err(Error::parameter("q", message));
    }
    let links = Links::new(&state, &headers);
    let page = state
        .db
        .timeline_page(&view.filter, view.cursor.as_ref(), view.limit)
        .await?;
    let summary = state.db.summary(&view.filter).await?;
    let page_url = |cursor: Option<Cursor>| {
        cursor.map(|cursor| {
            let mut query = View {
                cursor: Some(cursor),
                ..view.clone()
            }
            .canonical_query();
            if include_facets {
                query.push_str("&include=facets");
            }
            links.to(&crate::paths::api_events(&query))
        })
    };
    let events = page
        .entries
        .iter()
        .map(|entry| EventSummary::new(entry, &links))
        .collect::<Result<Vec<_>>>()?;
    Ok(Json(EventList {
        events,
        total: summary.total,
        next: page_url(page.after),
        previous: page_url(page.before),
        html_url: links.to(&view.url()),
        facets: include_facets.then(|| Facets {
            countries: facet_counts(&summary.countries),
            types: facet_counts(&summary.types),
            tags: facet_counts(&summary.tags),
            actors: facet_counts(&summary.actors),
            verification: facet_counts(&summary.verification),
        }),
        histogram: include_facets.then(|| Histogram {
            months: period_totals(&summary.months),
            years: period_totals(&summary.years),
        }),
    }))
}

/// One event: its record with participants and their roles, citations with passages and
/// claims, tags and relations, and the sources it cites.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventItem {
    pub id: i64,
    /// The event's permalink (its page).
    pub url: String,
    pub api_url: String,
    /// The version of the record: it goes up with every saved change.
    pub version: i64,
    /// When the event was first saved and last changed (UTC).
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub record: Event,
    pub date_info: DateInfo,
    /// The earliest publication among the sources, when one is dated.
    pub first_reported: Option<FirstReported>,
    /// The sources the citations name, in citation order.
    pub sources: Vec<SourceEntry>,
    /// Relations other events record to this one: "that event <relation> this event".
    pub inverse_relations: Vec<InverseRelation>,
}

/// When, and by which source, an event was first reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct FirstReported {
    /// The source's publication date.
    pub date: EventDate,
    pub source_id: i64,
}

/// A source, with its id.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceEntry {
    pub id: i64,
    /// The source in the API.
    pub api_url: String,
    #[serde(flatten)]
    pub source: Source,
}

impl SourceEntry {
    pub(super) fn new(id: i64, source: Source, links: &Links) -> SourceEntry {
        SourceEntry {
            id,
            api_url: links.to(&crate::paths::api_source(id)),
            source,
        }
    }
}

/// "That event <relation> this event".
#[derive(Debug, Serialize, ToSchema)]
pub struct InverseRelation {
    pub from_event_id: i64,
    pub relation: RelationKind,
    /// The relation read from this event's side ("followed by").
    pub label: String,
    pub note: String,
    /// The other event's title.
    pub title: String,
    pub api_url: String,
}

/// One published event.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    tag = "events",
    params(("id" = i64, Path, description = "The event's id")),
    responses(
        (status = 200, description = "The event", body = EventItem),
        (status = 404, description = "No published event has this id", body = super::ApiError),
        (status = 410, description = "The event was retracted or deleted; the message gives the reason", body = super::ApiError),
    )
)]
pub async fn item(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<i64>,
) -> Result<Json<EventItem>> {
    let Some(event) = state.db.published_event(id).await? else {
        return Err(match state.db.deletion_reason(id).await? {
            Some(reason) => Error::Deleted(reason),
            None => Error::NotFound,
        });
    };
    match event.record.status {
        EventStatus::Published => {}
        EventStatus::Retracted => return Err(Error::Gone(event.record.status_reason)),
        EventStatus::Draft => return Err(Error::NotFound),
    }
    let links = Links::new(&state, &headers);
    Ok(Json(EventItem {
        id,
        url: links.to(&crate::paths::event(id, &event.slug)),
        api_url: links.to(&crate::paths::api_event(id)),
        version: event.version,
        created_at: event.created_at,
        updated_at: event.updated_at,
        date_info: DateInfo::new(&event.record.date),
        first_reported: crate::domain::first_reported(event.sources.iter().map(|(id, s)| (*id, s))).and_then(
            |(source_id, source)| {
                Some(FirstReported {
                    date: source.published.clone()?,
                    source_id,
                })
            },
        ),
        record: event.record,
        sources: event
            .sources
            .into_iter()
            .map(|(id, source)| SourceEntry::new(id, source, &links))
            .collect(),
        inverse_relations: event
            .inverse_relations
            .into_iter()
            .map(|r| InverseRelation {
                from_event_id: r.from_event_id,
                relation: r.relation,
                label: r.relation.inverse_label().to_owned(),
                note: r.note,
                title: r.title,
                api_url: links.to(&crate::paths::api_event(r.from_event_id)),
            })
            .collect(),
    }))
}
