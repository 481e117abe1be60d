//! The timeline, the home page: published events in date order, grouped by year and
//! month, narrowed by filters that live in the query string. Every view has one
//! canonical address, so the same view is always the same link.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};

use axum::http::StatusCode;

use super::AppState;
use super::facets::{FacetGroup, Histogram, facet_groups, histogram};
use super::session::Viewer;
use super::view::{EntryView, YearGroup, group_by_period};
use crate::dates::EventDate;
use crate::domain::filter::{Cursor, Sort, TimelineFilter};
use crate::domain::{EventStatus, EventType};
use crate::error::{Error, Result};

pub use super::timeline_view::{DEFAULT_PAGE_SIZE, View};
use super::timeline_view::{SortLink, TimelineQuery, parse_query};

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

/// A link to the neighbouring page.
pub struct PageLink {
    pub label: &'static str,
    pub url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "timeline.html")]
pub struct TimelinePage {
    /// The whole view as files and as a feed (not for a search that failed).
    exports: Option<super::timeline_export::ExportLinks>,
    /// What a shared link's preview says: the view's filters and its count.
    share_title: String,
    share_description: String,
    years: Vec<YearGroup>,
    /// With a search sorted by relevance: the entries, best first, ungrouped.
    ranked: Vec<EntryView>,
    sorts: Vec<SortLink>,
    sort_label: &'static str,
    shown: usize,
    total: i64,
    /// The view's count, facets and histogram were not ready in time.
    counting: bool,
    filtered: bool,
    chips: Vec<Chip>,
    q: String,
    search_error: Option<String>,
    first_country: Vec<Choice>,
    second_country: Vec<Choice>,
    types: Vec<Choice>,
    /// Verification statuses, any of which an event may have.
    verifications: Vec<Choice>,
    /// "With alternative claims" is ticked.
    alternatives: bool,
    /// "One independent source" is ticked.
    one_source: bool,
    actor: String,
    tags: Vec<Choice>,
    outlets: Vec<Choice>,
    /// For editors: the publication statuses to choose from.
    statuses: Vec<Choice>,
    /// What the listed events are called: "published event", "draft"…
    status_noun: &'static str,
    from: String,
    to: String,
    /// Hidden form fields that keep the sort and page size when filters change.
    keep: Vec<(&'static str, String)>,
    clear_url: String,
    previous: Option<PageLink>,
    next: Option<PageLink>,
    first_page: Option<String>,
    facets: Vec<FacetGroup>,
    histogram: Option<Histogram>,
    /// Heading level of entry titles (under year and month headings).
    entry_level: u8,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response> {
    let raw = raw.unwrap_or_default();
    let CheckedView {
        view,
        actor,
        countries,
        tags,
        outlets,
        search_error,
    } = check_view(&state, &viewer, &raw, crate::paths::timeline).await?;
    let filter = &view.filter;
    if search_error.is_none() {
        let canonical = view.canonical_query();
        if canonical != raw {
            return Ok(Redirect::permanent(&crate::paths::timeline(&canonical)).into_response());
        }
    }

    // A search that cannot be understood lists nothing: the page explains the problem
    // and keeps the reader's text in the form to fix it. A view whose count takes longer
    // than the time limit lists its events and says the rest fills in on reload.
    let (page, summary) = match &search_error {
        Some((_, _)) => (None, None),
        None => (
            Some(
                state
                    .db
                    .timeline_page(filter, view.cursor.as_ref(), view.limit)
                    .await?,
            ),
            state.db.summary_within(filter, state.facet_time_limit).await?,
        ),
    };
    let counting = search_error.is_none() && summary.is_none();
    let total = summary.as_ref().map_or(0, |s| s.total);
    let (facets, histogram) = match &summary {
        Some(summary) => (facet_groups(&view, summary), histogram(&view, summary)),
        None => (Vec::new(), None),
    };
    let (entries, before, after) = match page {
        Some(page) => (page.entries, page.before, page.after),
        None => (Vec::new(), None, None),
    };
    let shown = entries.len();
    let ranked_view = view.ranked();
    let (newer, older) = view.page_labels();
    let page_link = |cursor: Option<Cursor>, label| {
        cursor.map(|cursor| PageLink {
            label,
            url: crate::paths::timeline(
                &View {
                    cursor: Some(cursor),
                    ..view.clone()
                }
                .canonical_query(),
            ),
        })
    };
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
    let first_page = view.cursor.is_some().then(|| view.first_page().url());
    let (years, ranked) = if ranked_view {
        (Vec::new(), entries.into_iter().map(EntryView::new).collect())
    } else {
        (group_by_period(entries), Vec::new())
    };
    let chips = chips(&view, country_name, actor.as_ref().map(|a| a.name.as_str()));
    let share_title = title_of(&chips);
    let share_description = match total {
        1 => "1 event, each with its sources and the passages it relies on".to_owned(),
        n => format!("{n} events, each with its sources and the passages it relies on"),
    };
    let exports = search_error
        .is_none()
        .then(|| super::timeline_export::ExportLinks::new(&view));
    let response = TimelinePage {
        exports,
        share_title,
        share_description,
        years,
        ranked,
        sorts: view.sort_links(),
        sort_label: view.sort_label(),
        shown,
        total,
        counting,
        filtered: filter.is_active() || search_error.is_some(),
        chips,
        q: match &search_error {
            Some((text, _)) => text.clone(),
            None => filter.search.as_ref().map(|s| s.text.clone()).unwrap_or_default(),
        },
        search_error: search_error.as_ref().map(|(_, message)| message.clone()),
        first_country: choices(filter.countries.first()),
        second_country: choices(filter.countries.get(1)),
        types: EventType::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_str().to_owned(),
                label: t.label().to_owned(),
                selected: filter.types.contains(t),
            })
            .collect(),
        verifications: crate::domain::Verification::ALL
            .iter()
            .map(|v| Choice {
                value: v.as_str().to_owned(),
                label: v.label().to_owned(),
                selected: filter.verification.contains(v),
            })
            .collect(),
        alternatives: filter.alternatives,
        one_source: filter.independent == Some(1),
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
        statuses: if viewer.is_editor() {
            EventStatus::ALL
                .iter()
                .map(|status| Choice {
                    value: status.as_str().to_owned(),
                    label: status_label(*status).to_owned(),
                    selected: filter.status == *status,
                })
                .collect()
        } else {
            Vec::new()
        },
        status_noun: match filter.status {
            EventStatus::Published => "published event",
            EventStatus::Draft => "draft",
            EventStatus::Retracted => "retracted event",
        },
        from: filter.from.as_ref().map(EventDate::edtf).unwrap_or_default(),
        to: filter.to.as_ref().map(EventDate::edtf).unwrap_or_default(),
        keep: view.kept_fields(),
        clear_url: View {
            filter: TimelineFilter {
                sort: match filter.sort {
                    Sort::Date(order) => Sort::Date(order),
                    Sort::Relevance => Sort::default(),
                },
                ..TimelineFilter::default()
            },
            limit: view.limit,
            cursor: None,
        }
        .url(),
        previous: page_link(before, newer),
        next: page_link(after, older),
        first_page,
        facets,
        histogram,
        entry_level: if ranked_view { 3 } else { 4 },
    };
    let status = if search_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(super::page_cache::not_stored_when(
        counting,
        (status, response).into_response(),
    ))
}

/// What a view is called where it is shared or exported: its filters in words.
fn title_of(chips: &[Chip]) -> String {
    if chips.is_empty() {
        "Timeline of defense-cooperation events".to_owned()
    } else {
        let filters: Vec<&str> = chips.iter().map(|c| c.label.as_str()).collect();
        format!("Timeline: {}", filters.join(", "))
    }
}

/// The title of a checked view, as its page's shared link says it.
pub(super) fn view_title(checked: &CheckedView) -> String {
    let country_name = |code: &str| {
        checked
            .countries
            .iter()
            .find(|(iso, _)| iso == code)
            .map_or_else(|| code.to_owned(), |(_, name)| name.clone())
    };
    title_of(&chips(
        &checked.view,
        country_name,
        checked.actor.as_ref().map(|a| a.name.as_str()),
    ))
}

/// A timeline view read from its query string and checked against what the viewer may
/// see: the timeline page and its exports read a query the same way.
pub(super) struct CheckedView {
    pub view: View,
    /// The actor the view is narrowed to.
    pub actor: Option<crate::store::ActorRef>,
    /// Every country, tag and outlet the viewer may filter by: (code, name) for countries.
    pub countries: Vec<(String, String)>,
    pub tags: Vec<String>,
    pub outlets: Vec<String>,
    /// A search that could not be understood: the reader's text and why.
    pub search_error: Option<(String, String)>,
}

/// Reads and checks a timeline query (`raw`, as sent); `address` makes the address of
/// the same view for a query (for the sign-in a status filter needs).
pub(super) async fn check_view(
    state: &AppState,
    viewer: &Viewer,
    raw: &str,
    address: fn(&str) -> String,
) -> Result<CheckedView> {
    let TimelineQuery {
        mut view,
        actor_text,
        search_error,
    } = parse_query(raw)?;
    if view.filter.status != EventStatus::Published && !viewer.is_editor() {
        // Unpublished events are for editors: sign in, then come back to this view.
        return Err(Error::SignInRequired(address(raw)));
    }
    if let Some(text) = actor_text {
        view.filter.actor = Some(resolve_actor(state, &text, viewer.is_editor()).await?);
    }
    let filter = &mut view.filter;
    let actor = match filter.actor {
        // Readers cannot name an actor of unpublished events only.
        Some(id)
            if !viewer.is_editor()
                && !state.db.actor_is_public(id).await?
                && state.db.actor_ref(id).await?.is_some() =>
        {
            return Err(Error::parameter(
                "actor",
                format!("There is no actor with the id {id}."),
            ));
        }
        Some(id) => match state.db.actor_ref(id).await? {
            Some(actor) => Some(actor),
            // An actor merged into another: the view becomes the other's (and the
            // canonical address check below redirects to it).
            None => match state.db.actor_redirect(id).await? {
                Some(new_id) => {
                    filter.actor = Some(new_id);
                    state.db.actor_ref(new_id).await?
                }
                None => {
                    return Err(Error::parameter(
                        "actor",
                        format!("There is no actor with the id {id}."),
                    ));
                }
            },
        },
        None => None,
    };
    let editor = viewer.is_editor();
    let choices = state.db.filter_choices(editor).await?;
    let tags = choices.tags.clone();
    if let Some(tag) = &filter.tag
        && !tags.contains(tag)
    {
        return Err(Error::parameter(
            "tag",
            format!("No event carries the tag “{tag}”."),
        ));
    }
    let outlets = choices.outlets.clone();
    if let Some(outlet) = &filter.outlet {
        // Outlets match whatever their case; the canonical address spells them as stored.
        // A name an outlet had before a rename is the outlet's name now (the canonical
        // address check redirects to it).
        let stored = match super::view::stored_spelling(&outlets, outlet) {
            Some(stored) => Some(stored.clone()),
            None => state.db.outlet_renamed(outlet).await?,
        };
        filter.outlet = Some(stored.ok_or_else(|| {
            Error::parameter("outlet", format!("No source comes from the outlet “{outlet}”."))
        })?);
    }
    let countries = choices.countries.clone();
    if let Some(unknown) = filter
        .countries
        .iter()
        .find(|code| !countries.iter().any(|(iso, _)| iso == *code))
    {
        return Err(Error::parameter(
            "country",
            format!(
                "There is no country with the code “{unknown}”. Use two-letter ISO codes such as IR or BY."
            ),
        ));
    }
    Ok(CheckedView {
        view,
        actor,
        countries,
        tags,
        outlets,
        search_error,
    })
}

/// Finds the one actor a name or alias stands for; none or several is a 400 page that
/// says so (naming the candidates and their ids).
async fn resolve_actor(state: &AppState, text: &str, editor: bool) -> Result<i64> {
    let mut found = state.db.find_actors(text).await?;
    if !editor {
        // Readers find only actors of published events.
        let mut public = Vec::with_capacity(found.len());
        for actor in found {
            if state.db.actor_is_public(actor.id).await? {
                public.push(actor);
            }
        }
        found = public;
    }
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err(Error::parameter(
            "actor",
            format!(
                "No actor is called “{text}”, in any spelling entente knows. The actors page lists them all."
            ),
        )),
        many => Err(Error::parameter(
            "actor",
            format!(
                "“{text}” matches several actors: {}. Give more of the name, or use actor=ID.",
                many.iter()
                    .map(|a| format!("{} (actor={})", a.name, a.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// One chip per active value, each linking to the same view without it (from its first
/// page: a wider view has other pages).
/// How the filter form and chips name a publication status.
fn status_label(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Published => "Published",
        EventStatus::Draft => "Drafts",
        EventStatus::Retracted => "Retracted",
    }
}

fn chips(view: &View, country_name: impl Fn(&str) -> String, actor: Option<&str>) -> Vec<Chip> {
    let filter = &view.filter;
    let without = |change: &dyn Fn(&mut TimelineFilter)| {
        let mut wider = view.first_page();
        change(&mut wider.filter);
        if wider.filter.search.is_none() && wider.filter.sort == Sort::Relevance {
            wider.filter.sort = Sort::default();
        }
        wider.url()
    };
    let mut chips = Vec::new();
    if filter.status != EventStatus::Published {
        chips.push(Chip {
            label: format!("Status: {}", status_label(filter.status)),
            remove_url: without(&|f| f.status = EventStatus::Published),
        });
    }
    if let Some(search) = &filter.search {
        chips.push(Chip {
            label: format!("Search: {}", search.text),
            remove_url: without(&|f| f.search = None),
        });
    }
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
            label: format!("Type: {}", event_type.label()),
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
    for status in &filter.verification {
        chips.push(Chip {
            label: format!("Verification: {}", status.label()),
            remove_url: without(&|f| f.verification.retain(|s| s != status)),
        });
    }
    if filter.alternatives {
        chips.push(Chip {
            label: "With alternative claims".to_owned(),
            remove_url: without(&|f| f.alternatives = false),
        });
    }
    if let Some(independent) = filter.independent {
        chips.push(Chip {
            label: match independent {
                1 => "One independent source".to_owned(),
                n => format!("{n} independent sources"),
            },
            remove_url: without(&|f| f.independent = None),
        });
    }
    chips
}
