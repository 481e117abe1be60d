//! The timeline, the home page: published events in date order, grouped by year and
//! month, narrowed by filters that live in the query string. Every view has one
//! canonical address, so the same view is always the same link.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::AppState;
use super::view::{YearGroup, event_type_label, group_by_period};
use crate::dates::EventDate;
use crate::error::{Error, Result};
use crate::store::EVENT_TYPES;
use crate::store::events::Order;
use crate::store::listing::TimelineFilter;

/// Most events one timeline page lists.
pub const PAGE_LIMIT: i64 = 1000;

/// An active filter value, shown as a chip with a link that removes it.
pub struct Chip {
    pub label: String,
    pub remove_url: String,
}

/// A choice in the filter form.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "timeline.html")]
pub struct TimelinePage {
    years: Vec<YearGroup>,
    order: Order,
    flip_url: String,
    shown: usize,
    total: i64,
    filtered: bool,
    chips: Vec<Chip>,
    first_country: Vec<Choice>,
    second_country: Vec<Choice>,
    types: Vec<Choice>,
    actor: String,
    tags: Vec<Choice>,
    outlets: Vec<Choice>,
    from: String,
    to: String,
    /// Heading level of entry titles (under year and month headings).
    entry_level: u8,
}

pub async fn show(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response> {
    let raw = raw.unwrap_or_default();
    let TimelineQuery {
        mut filter,
        actor_text,
    } = parse_query(&raw)?;
    if let Some(text) = actor_text {
        filter.actor = Some(resolve_actor(&state, &text).await?);
    }
    let actor = match filter.actor {
        Some(id) => Some(
            state
                .db
                .actor_ref(id)
                .await?
                .ok_or_else(|| Error::BadRequest(format!("There is no actor with the id {id}.")))?,
        ),
        None => None,
    };
    let tags = state.db.tags().await?;
    if let Some(tag) = &filter.tag
        && !tags.contains(tag)
    {
        return Err(Error::BadRequest(format!("No event carries the tag “{tag}”.")));
    }
    let outlets = state.db.outlets().await?;
    if let Some(outlet) = &filter.outlet {
        // Outlets match whatever their case; the canonical address spells them as stored.
        let stored = outlets.iter().find(|o| o.eq_ignore_ascii_case(outlet));
        filter.outlet = Some(
            stored
                .ok_or_else(|| Error::BadRequest(format!("No source comes from the outlet “{outlet}”.")))?
                .clone(),
        );
    }
    let countries = state.db.countries().await?;
    if let Some(unknown) = filter
        .countries
        .iter()
        .find(|code| !countries.iter().any(|(iso, _)| iso == *code))
    {
        return Err(Error::BadRequest(format!(
            "There is no country with the code “{unknown}”. Use two-letter ISO codes such as IR or BY."
        )));
    }
    let canonical = canonical_query(&filter);
    if canonical != raw {
        return Ok(Redirect::permanent(&url_for(&canonical)).into_response());
    }

    let entries = state.db.timeline(&filter, PAGE_LIMIT).await?;
    let total = state.db.timeline_count(&filter).await?;
    let shown = entries.len();
    let country_name = |code: &str| {
        countries
            .iter()
            .find(|(iso, _)| iso == code)
            .map_or_else(|| code.to_owned(), |(_, name)| name.clone())
    };
    let choices = |selected: Option<&String>| {
        countries
            .iter()
            .map(|(iso, name)| Choice {
                value: iso.clone(),
                label: name.clone(),
                selected: selected == Some(iso),
            })
            .collect::<Vec<_>>()
    };
    Ok(TimelinePage {
        years: group_by_period(entries),
        flip_url: url_for(&canonical_query(&TimelineFilter {
            order: filter.order.flipped(),
            ..filter.clone()
        })),
        order: filter.order,
        shown,
        total,
        filtered: filter.is_active(),
        chips: chips(&filter, country_name, actor.as_ref().map(|a| a.name.as_str())),
        first_country: choices(filter.countries.first()),
        second_country: choices(filter.countries.get(1)),
        types: EVENT_TYPES
            .iter()
            .map(|t| Choice {
                value: (*t).to_owned(),
                label: event_type_label(t).to_owned(),
                selected: filter.types.iter().any(|s| s == t),
            })
            .collect(),
        actor: actor.map(|a| a.name).unwrap_or_default(),
        tags: tags
            .iter()
            .map(|t| Choice {
                value: t.clone(),
                label: t.clone(),
                selected: filter.tag.as_ref() == Some(t),
            })
            .collect(),
        outlets: outlets
            .iter()
            .map(|o| Choice {
                value: o.clone(),
                label: o.clone(),
                selected: filter.outlet.as_ref() == Some(o),
            })
            .collect(),
        from: filter.from.as_ref().map(EventDate::edtf).unwrap_or_default(),
        to: filter.to.as_ref().map(EventDate::edtf).unwrap_or_default(),
        entry_level: 4,
    }
    .into_response())
}

/// The timeline's query string, read.
pub struct TimelineQuery {
    pub filter: TimelineFilter,
    /// An actor given by name or alias rather than id, still to be looked up.
    pub actor_text: Option<String>,
}

/// Finds the one actor a name or alias stands for; none or several is a 400 page that
/// says so (naming the candidates and their ids).
async fn resolve_actor(state: &AppState, text: &str) -> Result<i64> {
    let found = state.db.find_actors(text).await?;
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err(Error::BadRequest(format!(
            "No actor is called “{text}”, in any spelling entente knows. The actors page lists them all."
        ))),
        many => Err(Error::BadRequest(format!(
            "“{text}” matches several actors: {}. Give more of the name, or use actor=ID.",
            many.iter()
                .map(|a| format!("{} (actor={})", a.name, a.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Reads the timeline's parameters. Empty values (a blank form field) are ignored, and so
/// are parameters entente does not know; a value that cannot be understood is a 400 page
/// saying what was wrong.
pub fn parse_query(raw: &str) -> Result<TimelineQuery> {
    let mut filter = TimelineFilter::default();
    let mut actor_text = None;
    let mut seen_single: Vec<&str> = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let single = match key.as_ref() {
            "actor" => Some("actor"),
            "tag" => Some("tag"),
            "outlet" => Some("outlet"),
            "from" => Some("from"),
            "to" => Some("to"),
            "order" => Some("order"),
            _ => None,
        };
        if let Some(name) = single {
            if seen_single.contains(&name) {
                return Err(Error::BadRequest(format!(
                    "The parameter “{name}” is given more than once; give it once."
                )));
            }
            seen_single.push(name);
        }
        match key.as_ref() {
            "country" => {
                let code = value.to_uppercase();
                if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
                    return Err(Error::BadRequest(format!(
                        "“{value}” is not a country code. Use two-letter ISO codes such as IR or BY."
                    )));
                }
                if !filter.countries.contains(&code) {
                    filter.countries.push(code);
                }
            }
            "actor" => match value.parse::<i64>() {
                Ok(id) => filter.actor = Some(id),
                Err(_) => actor_text = Some(value.to_owned()),
            },
            "tag" => filter.tag = Some(value.to_lowercase()),
            "outlet" => filter.outlet = Some(value.to_owned()),
            "type" => {
                if !EVENT_TYPES.contains(&value) {
                    return Err(Error::BadRequest(format!(
                        "“{value}” is not an event type. Known types: {}.",
                        EVENT_TYPES.join(", ")
                    )));
                }
                if !filter.types.iter().any(|t| t == value) {
                    filter.types.push(value.to_owned());
                }
            }
            "from" | "to" => {
                let date = EventDate::parse(value)
                    .map_err(|e| Error::BadRequest(format!("The “{key}” date is not usable: {e}")))?;
                if key == "from" {
                    filter.from = Some(date);
                } else {
                    filter.to = Some(date);
                }
            }
            "order" => {
                filter.order = match value {
                    "desc" => Order::Desc,
                    "asc" => Order::Asc,
                    other => {
                        return Err(Error::BadRequest(format!(
                            "“{other}” is not a timeline order: use order=asc (oldest first) or \
                             order=desc (newest first)."
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    if let (Some(from), Some(to)) = (&filter.from, &filter.to)
        && from.earliest() > to.latest()
    {
        return Err(Error::BadRequest(format!(
            "The range starts ({}) after it ends ({}).",
            from.display(),
            to.display()
        )));
    }
    filter.countries.sort();
    filter
        .types
        .sort_by_key(|t| EVENT_TYPES.iter().position(|known| known == t));
    Ok(TimelineQuery { filter, actor_text })
}

/// The one query string of a view: parameters in a fixed order, values normalised,
/// defaults left out.
pub fn canonical_query(filter: &TimelineFilter) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for code in &filter.countries {
        query.append_pair("country", code);
    }
    if let Some(actor) = filter.actor {
        query.append_pair("actor", &actor.to_string());
    }
    for event_type in &filter.types {
        query.append_pair("type", event_type);
    }
    if let Some(tag) = &filter.tag {
        query.append_pair("tag", tag);
    }
    if let Some(outlet) = &filter.outlet {
        query.append_pair("outlet", outlet);
    }
    if let Some(from) = &filter.from {
        query.append_pair("from", &from.edtf());
    }
    if let Some(to) = &filter.to {
        query.append_pair("to", &to.edtf());
    }
    if filter.order == Order::Asc {
        query.append_pair("order", "asc");
    }
    query.finish()
}

fn url_for(query: &str) -> String {
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// One chip per active value, each linking to the same view without it.
fn chips(filter: &TimelineFilter, country_name: impl Fn(&str) -> String, actor: Option<&str>) -> Vec<Chip> {
    let without = |change: &dyn Fn(&mut TimelineFilter)| {
        let mut narrower = filter.clone();
        change(&mut narrower);
        url_for(&canonical_query(&narrower))
    };
    let mut chips = Vec::new();
    for code in &filter.countries {
        chips.push(Chip {
            label: format!("Country: {}", country_name(code)),
            remove_url: without(&|f| f.countries.retain(|c| c != code)),
        });
    }
    if let Some(name) = actor {
        chips.push(Chip {
            label: format!("Actor: {name}"),
            remove_url: without(&|f| f.actor = None),
        });
    }
    for event_type in &filter.types {
        chips.push(Chip {
            label: format!("Type: {}", event_type_label(event_type)),
            remove_url: without(&|f| f.types.retain(|t| t != event_type)),
        });
    }
    if let Some(tag) = &filter.tag {
        chips.push(Chip {
            label: format!("Tag: {tag}"),
            remove_url: without(&|f| f.tag = None),
        });
    }
    if let Some(outlet) = &filter.outlet {
        chips.push(Chip {
            label: format!("Outlet: {outlet}"),
            remove_url: without(&|f| f.outlet = None),
        });
    }
    if let Some(from) = &filter.from {
        chips.push(Chip {
            label: format!("From: {}", from.display()),
            remove_url: without(&|f| f.from = None),
        });
    }
    if let Some(to) = &filter.to {
        chips.push(Chip {
            label: format!("To: {}", to.display()),
            remove_url: without(&|f| f.to = None),
        });
    }
    chips
}
