//! Actors, sources, tags and outlets in the API: each as a list and one at a time, with
//! the published events they belong to as a link to `/api/v1/events`.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::Links;
use super::events::{ActorLink, SourceEntry};
use crate::dates::EventDate;
use crate::domain::filter::TimelineFilter;
use crate::domain::{Actor, ActorKind, Source};
use crate::error::{Error, Result};
use crate::web::AppState;
use crate::web::extract::PathParams;

/// Every actor readers can see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorList {
    /// Countries, then people, organizations and facilities, each by name.
    pub actors: Vec<ActorEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActorEntry {
    pub id: i64,
    pub kind: ActorKind,
    pub name: String,
    /// Other names in any script, in alphabetical order.
    pub aliases: Vec<String>,
    /// Published events the actor takes part in.
    pub event_count: i64,
    /// The actor's page.
    pub url: String,
    pub api_url: String,
}

/// Every actor of published events, with its other names.
#[utoipa::path(
    get,
    path = "/api/v1/actors",
    tag = "records",
    responses((status = 200, description = "Every actor readers can see", body = ActorList))
)]
pub async fn actors(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<ActorList>> {
    let links = Links::new(&state, &headers);
    let actors = state
        .db
        .actor_index(false)
        .await?
        .into_iter()
        .map(|a| ActorEntry {
            aliases: a.aliases(),
            url: links.to(&a.url()),
            api_url: links.to(&crate::paths::api_actor(a.id)),
            id: a.id,
            kind: a.kind,
            name: a.name,
            event_count: a.event_count,
        })
        .collect();
    Ok(Json(ActorList { actors }))
}

/// One actor.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorItem {
    pub id: i64,
    /// The actor's page.
    pub url: String,
    pub api_url: String,
    /// The version of the record: it goes up with every saved change.
    pub version: i64,
    #[serde(flatten)]
    pub record: Actor,
    /// For a country: the people, organizations and facilities that belong to it.
    pub members: Vec<ActorLink>,
    /// Published events the actor takes part in.
    pub event_count: i64,
    /// Those events in the API.
    pub events_api_url: String,
}

/// One actor of published events; an actor merged into another leads to that one.
#[utoipa::path(
    get,
    path = "/api/v1/actors/{id}",
    tag = "records",
    params(("id" = i64, Path, description = "The actor's id")),
    responses(
        (status = 200, description = "The actor", body = ActorItem),
        (status = 308, description = "The actor was merged into another: `Location` names it"),
        (status = 404, description = "No actor of published events has this id", body = super::ApiError),
    )
)]
pub async fn actor(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<i64>,
) -> Result<Response> {
    let Some((record, version)) = state.db.actor_record(id).await? else {
        return match state.db.actor_redirect(id).await? {
            Some(new_id) => Ok(Redirect::permanent(&crate::paths::api_actor(new_id)).into_response()),
            None => Err(Error::NotFound),
        };
    };
    if !state.db.actor_is_public(id).await? {
        return Err(Error::NotFound);
    }
    let Some(actor) = state.db.actor(id).await? else {
        return Err(Error::NotFound);
    };
    let links = Links::new(&state, &headers);
    let members = if record.kind == ActorKind::Country {
        state.db.members_of_country(id, false).await?
    } else {
        Vec::new()
    };
    let filter = TimelineFilter {
        actor: Some(id),
        ..TimelineFilter::default()
    };
    let event_count = state.db.summary(&filter).await?.total;
    Ok(Json(ActorItem {
        id,
        url: links.to(&crate::paths::actor(id, &actor.slug)),
        api_url: links.to(&crate::paths::api_actor(id)),
        version,
        record,
        members: members.iter().map(|m| ActorLink::new(m, &links)).collect(),
        event_count,
        events_api_url: links.to(&crate::paths::api_events(&format!("actor={id}"))),
    })
    .into_response())
}

/// Sources, a page at a time.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceList {
    /// By id.
    pub sources: Vec<SourceEntry>,
    /// The next page, when there is one.
    pub next: Option<String>,
}

/// Sources listed per page unless `limit` says otherwise, and at most.
const SOURCES_PER_PAGE: i64 = 100;
const MAX_SOURCES_PER_PAGE: i64 = 500;

/// Every source that published events cite, by id, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/sources",
    tag = "records",
    params(
        ("after" = Option<i64>, Query, description = "List sources with a larger id than this (from a `next` link)"),
        ("limit" = Option<i64>, Query, description = "Sources per page, 1 to 500 (default 100)"),
    ),
    responses(
        (status = 200, description = "A page of sources", body = SourceList),
        (status = 400, description = "A parameter that cannot be understood", body = super::ApiError),
    )
)]
pub async fn sources(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<SourceList>> {
    let mut after = 0;
    let mut limit = SOURCES_PER_PAGE;
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = value.trim();
        match key.as_ref() {
            "after" => {
                after = value
                    .parse()
                    .ok()
                    .filter(|n: &i64| *n >= 0)
                    .ok_or_else(|| Error::parameter("after", format!("“{value}” is not a source id.")))?;
            }
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_SOURCES_PER_PAGE).contains(n))
                    .ok_or_else(|| {
                        Error::parameter(
                            "limit",
                            format!(
                                "“{value}” is not a page size: use a number from 1 to {MAX_SOURCES_PER_PAGE}."
                            ),
                        )
                    })?;
            }
            _ => {}
        }
    }
    let links = Links::new(&state, &headers);
    // One more than asked tells whether a next page exists.
    let mut found = state.db.public_sources(after, limit + 1).await?;
    let more = found.len() as i64 > limit;
    found.truncate(usize::try_from(limit).unwrap_or(0));
    let next = match (more, found.last()) {
        (true, Some((last, _))) => {
            let query = if limit == SOURCES_PER_PAGE {
                format!("after={last}")
            } else {
                format!("after={last}&limit={limit}")
            };
            Some(links.to(&crate::paths::api_sources(&query)))
        }
        _ => None,
    };
    Ok(Json(SourceList {
        sources: found
            .into_iter()
            .map(|(id, source)| SourceEntry::new(id, source, &links))
            .collect(),
        next,
    }))
}

/// One source.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceItem {
    pub id: i64,
    pub api_url: String,
    /// The version of the record: it goes up with every saved change.
    pub version: i64,
    #[serde(flatten)]
    pub record: Source,
    /// The published events citing it, in date order.
    pub events: Vec<EventLink>,
}

/// A published event, as a link.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventLink {
    pub id: i64,
    pub title: String,
    pub date: EventDate,
    pub url: String,
    pub api_url: String,
}

/// One source that published events cite, with those events.
#[utoipa::path(
    get,
    path = "/api/v1/sources/{id}",
    tag = "records",
    params(("id" = i64, Path, description = "The source's id")),
    responses(
        (status = 200, description = "The source", body = SourceItem),
        (status = 404, description = "No published event cites a source with this id", body = super::ApiError),
    )
)]
pub async fn source(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<i64>,
) -> Result<Json<SourceItem>> {
    if !state.db.source_is_public(id).await? {
        return Err(Error::NotFound);
    }
    let (record, version) = state.db.source_record(id).await?.ok_or(Error::NotFound)?;
    let links = Links::new(&state, &headers);
    let events = state
        .db
        .source_events(id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(EventLink {
                date: super::stored_date(&e.date_edtf)?,
                url: links.to(&crate::paths::event(e.id, &e.slug)),
                api_url: links.to(&crate::paths::api_event(e.id)),
                id: e.id,
                title: e.title,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Json(SourceItem {
        id,
        api_url: links.to(&crate::paths::api_source(id)),
        version,
        record,
        events,
    }))
}

/// Every tag of published events.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    /// By name.
    pub tags: Vec<TagEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagEntry {
    pub name: String,
    /// Published events carrying the tag.
    pub event_count: i64,
    /// The tag's page.
    pub url: String,
    pub api_url: String,
    /// Its events in the API.
    pub events_api_url: String,
}

impl TagEntry {
    fn new(name: String, event_count: i64, links: &Links) -> TagEntry {
        let events = form_urlencoded::Serializer::new(String::new())
            .append_pair("tag", &name)
            .finish();
        TagEntry {
            url: links.to(&crate::paths::tag(&name)),
            api_url: links.to(&crate::paths::api_tag(&name)),
            events_api_url: links.to(&crate::paths::api_events(&events)),
            name,
            event_count,
        }
    }
}

/// Every tag of published events, with how many carry it.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "records",
    responses((status = 200, description = "Every tag", body = TagList))
)]
pub async fn tags(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<TagList>> {
    let links = Links::new(&state, &headers);
    let tags = state
        .db
        .tag_index(false)
        .await?
        .into_iter()
        .map(|t| TagEntry::new(t.name, t.events, &links))
        .collect();
    Ok(Json(TagList { tags }))
}

/// One tag.
#[utoipa::path(
    get,
    path = "/api/v1/tags/{name}",
    tag = "records",
    params(("name" = String, Path, description = "The tag")),
    responses(
        (status = 200, description = "The tag", body = TagEntry),
        (status = 404, description = "No published event carries this tag", body = super::ApiError),
    )
)]
pub async fn tag(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(name): PathParams<String>,
) -> Result<Json<TagEntry>> {
    let links = Links::new(&state, &headers);
    let found = state
        .db
        .tag_index(false)
        .await?
        .into_iter()
        .find(|t| t.name == name)
        .ok_or(Error::NotFound)?;
    Ok(Json(TagEntry::new(found.name, found.events, &links)))
}

/// Every outlet of sources that published events cite.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutletList {
    /// By name.
    pub outlets: Vec<OutletEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutletEntry {
    pub name: String,
    /// Its sources that published events cite.
    pub source_count: i64,
    /// Published events citing them.
    pub event_count: i64,
    /// The outlet's page.
    pub url: String,
    pub api_url: String,
    /// Those events in the API.
    pub events_api_url: String,
}

impl OutletEntry {
    fn new(name: String, source_count: i64, event_count: i64, links: &Links) -> OutletEntry {
        let events = form_urlencoded::Serializer::new(String::new())
            .append_pair("outlet", &name)
            .finish();
        OutletEntry {
            url: links.to(&crate::paths::outlet(&name)),
            api_url: links.to(&crate::paths::api_outlet(&name)),
            events_api_url: links.to(&crate::paths::api_events(&events)),
            name,
            source_count,
            event_count,
        }
    }
}

/// Every outlet, with how many sources and events it backs.
#[utoipa::path(
    get,
    path = "/api/v1/outlets",
    tag = "records",
    responses((status = 200, description = "Every outlet", body = OutletList))
)]
pub async fn outlets(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<OutletList>> {
    let links = Links::new(&state, &headers);
    let outlets = state
        .db
        .outlet_index(false)
        .await?
        .into_iter()
        .map(|o| OutletEntry::new(o.name, o.sources, o.events, &links))
        .collect();
    Ok(Json(OutletList { outlets }))
}

/// One outlet with its sources.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutletItem {
    #[serde(flatten)]
    pub outlet: OutletEntry,
    /// What kind of publisher it is.
    pub kind: crate::domain::OutletKind,
    /// The ISO code of the country it belongs to.
    pub country: Option<String>,
    pub language: String,
    pub note: String,
    /// Its sources that published events cite, most recently published first.
    pub sources: Vec<OutletSourceEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutletSourceEntry {
    pub id: i64,
    pub api_url: String,
    pub title: String,
    pub url: Option<String>,
    /// When the source was published.
    pub published: Option<EventDate>,
    pub author: Option<String>,
    /// Published events citing it.
    pub event_count: i64,
}

/// One outlet; its name matches whatever its case, and leads to the name as stored.
#[utoipa::path(
    get,
    path = "/api/v1/outlets/{name}",
    tag = "records",
    params(("name" = String, Path, description = "The outlet's name")),
    responses(
        (status = 200, description = "The outlet and its sources", body = OutletItem),
        (status = 308, description = "The name is stored with another case: `Location` gives it"),
        (status = 404, description = "No published event cites a source of this outlet", body = super::ApiError),
    )
)]
pub async fn outlet(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(name): PathParams<String>,
) -> Result<Response> {
    let index = state.db.outlet_index(false).await?;
    let Some(found) = index
        .iter()
        .find(|o| o.name.to_lowercase() == name.to_lowercase())
    else {
        return Err(Error::NotFound);
    };
    if found.name != name {
        return Ok(Redirect::permanent(&crate::paths::api_outlet(&found.name)).into_response());
    }
    let links = Links::new(&state, &headers);
    // Every source: SQLite reads a negative limit as none.
    let (sources, _) = state.db.outlet_sources(&found.name, -1, false).await?;
    let sources = sources
        .into_iter()
        .map(|s| {
            Ok(OutletSourceEntry {
                api_url: links.to(&crate::paths::api_source(s.id)),
                published: s.published_edtf.as_deref().map(super::stored_date).transpose()?,
                id: s.id,
                title: s.title,
                url: s.url,
                author: s.author,
                event_count: s.events,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let record = state.db.outlet_named(&found.name).await?.ok_or(Error::NotFound)?;
    let country = match record.outlet.country_id {
        Some(id) => state.db.country_iso(id).await?,
        None => None,
    };
    Ok(Json(OutletItem {
        outlet: OutletEntry::new(found.name.clone(), found.sources, found.events, &links),
        kind: record.outlet.kind,
        country,
        language: record.outlet.language,
        note: record.outlet.note,
        sources,
    })
    .into_response())
}
