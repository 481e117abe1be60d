//! What a timeline address says: the view (filter, page size, page), read from a query
//! string with every mistake named, and written back as the one canonical query string.

use crate::dates::EventDate;
use crate::domain::filter::{Cursor, Key, Order, Sort, TimelineFilter};
use crate::domain::search::SearchQuery;
use crate::domain::{EventStatus, EventType, Verification};
use crate::error::{Error, Result};

/// Events a page lists unless `limit` says otherwise.
pub const DEFAULT_PAGE_SIZE: i64 = 50;
/// Most events one page may list: enough for a long read, small enough to stay fast.
pub const MAX_PAGE_SIZE: i64 = 500;

/// A way to sort the current view, as a link.
pub struct SortLink {
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

/// Everything a timeline address says: the filter, the page size and the page.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub filter: TimelineFilter,
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

impl Default for View {
    fn default() -> Self {
        View {
            filter: TimelineFilter::default(),
            limit: DEFAULT_PAGE_SIZE,
            cursor: None,
        }
    }
}

impl View {
    /// The address of this view.
    pub fn url(&self) -> String {
        crate::paths::timeline(&self.canonical_query())
    }

    /// The same filters from their first page.
    pub(super) fn first_page(&self) -> View {
        View {
            cursor: None,
            ..self.clone()
        }
    }

    /// Whether the entries are listed best match first rather than by date.
    pub(super) fn ranked(&self) -> bool {
        self.filter.search.is_some() && self.filter.sort == Sort::Relevance
    }

    /// Labels of the links to the previous and the next page.
    pub(super) fn page_labels(&self) -> (&'static str, &'static str) {
        if self.ranked() {
            ("Better matches", "More matches")
        } else if self.filter.sort == Sort::Date(Order::Asc) {
            ("Earlier events", "Later events")
        } else {
            ("Newer events", "Older events")
        }
    }

    pub(super) fn sort_label(&self) -> &'static str {
        if self.ranked() {
            "Best matches first."
        } else if self.filter.sort == Sort::Date(Order::Asc) {
            "Oldest first."
        } else {
            "Newest first."
        }
    }

    /// Links to the other ways of sorting this view (from the first page).
    pub(super) fn sort_links(&self) -> Vec<SortLink> {
        let mut sorts = Vec::new();
        if self.filter.search.is_some() {
            sorts.push(("Best match", Sort::Relevance));
        }
        sorts.push(("Newest first", Sort::Date(Order::Desc)));
        sorts.push(("Oldest first", Sort::Date(Order::Asc)));
        let current = if self.filter.search.is_some() {
            self.filter.sort
        } else {
            match self.filter.sort {
                Sort::Relevance => Sort::default(),
                sort => sort,
            }
        };
        sorts
            .into_iter()
            .map(|(label, sort)| SortLink {
                label,
                url: View {
                    filter: TimelineFilter {
                        sort,
                        ..self.filter.clone()
                    },
                    limit: self.limit,
                    cursor: None,
                }
                .url(),
                current: sort == current,
            })
            .collect()
    }

    /// Hidden fields of the filter form: what the form does not show but the view keeps.
    pub(super) fn kept_fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = Vec::new();
        if let Some(order) = self.order_param() {
            fields.push(("order", order.to_owned()));
        }
        if self.limit != DEFAULT_PAGE_SIZE {
            fields.push(("limit", self.limit.to_string()));
        }
        fields
    }

    /// The `order` parameter, when it is not the default for this view.
    pub(super) fn order_param(&self) -> Option<&'static str> {
        match (self.filter.search.is_some(), self.filter.sort) {
            (true, Sort::Relevance) | (false, Sort::Relevance) | (false, Sort::Date(Order::Desc)) => None,
            (true, Sort::Date(Order::Desc)) => Some("desc"),
            (_, Sort::Date(Order::Asc)) => Some("asc"),
        }
    }

    /// The one query string of a view: parameters in a fixed order, values normalised,
    /// defaults left out.
    pub fn canonical_query(&self) -> String {
        let filter = &self.filter;
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(search) = &filter.search {
            query.append_pair("q", &search.text);
        }
        for code in &filter.countries {
            query.append_pair("country", code);
        }
        if let Some(actor) = filter.actor {
            query.append_pair("actor", &actor.to_string());
        }
        for event_type in &filter.types {
            query.append_pair("type", event_type.as_str());
        }
        if let Some(tag) = &filter.tag {
            query.append_pair("tag", tag);
        }
        if let Some(outlet) = &filter.outlet {
            query.append_pair("outlet", outlet);
        }
        for status in &filter.verification {
            query.append_pair("verification", status.as_str());
        }
        if filter.alternatives {
            query.append_pair("alternatives", "yes");
        }
        if let Some(independent) = filter.independent {
            query.append_pair("independent", &independent.to_string());
        }
        if filter.status != EventStatus::Published {
            query.append_pair("status", filter.status.as_str());
        }
        if let Some(from) = &filter.from {
            query.append_pair("from", &from.edtf());
        }
        if let Some(to) = &filter.to {
            query.append_pair("to", &to.edtf());
        }
        if let Some(order) = self.order_param() {
            query.append_pair("order", order);
        }
        if self.limit != DEFAULT_PAGE_SIZE {
            query.append_pair("limit", &self.limit.to_string());
        }
        if let Some(cursor) = &self.cursor {
            query.append_pair("cursor", &cursor.encode());
        }
        query.finish()
    }
}

/// The timeline's query string, read.
pub struct TimelineQuery {
    pub view: View,
    /// An actor given by name or alias rather than id, still to be looked up.
    pub actor_text: Option<String>,
    /// A search that could not be understood: the reader's text and why.
    pub search_error: Option<(String, String)>,
}

/// Reads the timeline's parameters. Empty values (a blank form field) are ignored, and so
/// are parameters entente does not know; a value that cannot be understood is a 400 page
/// saying what was wrong. A search that cannot be understood is not an error page: the
/// timeline explains it beside the search field.
pub fn parse_query(raw: &str) -> Result<TimelineQuery> {
    let mut view = View::default();
    let filter = &mut view.filter;
    let mut actor_text = None;
    let mut search_error = None;
    let mut order = None;
    let mut seen_single: Vec<&str> = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let single = match key.as_ref() {
            "q" => Some("q"),
            "actor" => Some("actor"),
            "tag" => Some("tag"),
            "outlet" => Some("outlet"),
            "status" => Some("status"),
            "from" => Some("from"),
            "to" => Some("to"),
            "order" => Some("order"),
            "limit" => Some("limit"),
            "cursor" => Some("cursor"),
            "alternatives" => Some("alternatives"),
            "independent" => Some("independent"),
            _ => None,
        };
        if let Some(name) = single {
            if seen_single.contains(&name) {
                return Err(Error::parameter(
                    name,
                    format!("The parameter “{name}” is given more than once; give it once."),
                ));
            }
            seen_single.push(name);
        }
        match key.as_ref() {
            "q" => match SearchQuery::parse(value) {
                Ok(search) => filter.search = Some(search),
                Err(e) => search_error = Some((value.to_owned(), e.0)),
            },
            "country" => {
                let code = value.to_uppercase();
                if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
                    return Err(Error::parameter(
                        "country",
                        format!(
                            "“{value}” is not a country code. Use two-letter ISO codes such as IR or BY."
                        ),
                    ));
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
            "status" => {
                filter.status = EventStatus::parse(value).ok_or_else(|| {
                    Error::parameter(
                        "status",
                        format!(
                            "“{value}” is not a publication status: use status=draft or \
                         status=retracted (editors only), or leave it out for published events."
                        ),
                    )
                })?;
            }
            "type" => {
                let event_type = EventType::parse(value).ok_or_else(|| {
                    Error::parameter(
                        "type",
                        format!(
                            "“{value}” is not an event type. Known types: {}.",
                            EventType::terms()
                        ),
                    )
                })?;
                if !filter.types.contains(&event_type) {
                    filter.types.push(event_type);
                }
            }
            "verification" => {
                let status = Verification::parse(value).ok_or_else(|| {
                    Error::parameter(
                        "verification",
                        format!(
                            "“{value}” is not a verification status. Known statuses: {}.",
                            Verification::terms()
                        ),
                    )
                })?;
                if !filter.verification.contains(&status) {
                    filter.verification.push(status);
                }
            }
            "alternatives" => {
                filter.alternatives = match value {
                    "yes" => true,
                    "no" => false,
                    other => {
                        return Err(Error::parameter(
                            "alternatives",
                            format!(
                                "“{other}” is not yes or no: alternatives=yes keeps the events with a claim \
                                 the editors rank as an alternative."
                            ),
                        ));
                    }
                };
            }
            "independent" => {
                filter.independent = Some(value.parse::<i64>().ok().filter(|n| (0..=999).contains(n)).ok_or_else(|| {
                    Error::parameter(
                        "independent",
                        format!(
                            "“{value}” is not a number of sources: independent=1 keeps the events resting on \
                             one independent source."
                        ),
                    )
                })?);
            }
            "from" | "to" => {
                let name = if key == "from" { "from" } else { "to" };
                let date = EventDate::parse(value)
                    .map_err(|e| Error::parameter(name, format!("The “{key}” date is not usable: {e}")))?;
                if key == "from" {
                    filter.from = Some(date);
                } else {
                    filter.to = Some(date);
                }
            }
            "order" => {
                order = Some(match value {
                    "desc" => Sort::Date(Order::Desc),
                    "asc" => Sort::Date(Order::Asc),
                    "relevance" => Sort::Relevance,
                    other => {
                        return Err(Error::parameter(
                            "order",
                            format!(
                                "“{other}” is not a timeline order: use order=asc (oldest first), \
                             order=desc (newest first) or, with a search, order=relevance."
                            ),
                        ));
                    }
                })
            }
            "limit" => {
                view.limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE_SIZE).contains(n))
                    .ok_or_else(|| {
                        Error::parameter(
                            "limit",
                            format!("“{value}” is not a page size: use a number from 1 to {MAX_PAGE_SIZE}."),
                        )
                    })?;
            }
            "cursor" => {
                view.cursor = Some(Cursor::decode(value).ok_or_else(|| {
                    Error::parameter(
                        "cursor",
                        "This page link is damaged: its “cursor” was not made by entente. \
                         Start again from the first page (remove the cursor parameter)."
                            .to_owned(),
                    )
                })?);
            }
            _ => {}
        }
    }
    let searching = filter.search.is_some() || search_error.is_some();
    filter.sort = match order {
        Some(Sort::Relevance) if !searching => {
            return Err(Error::parameter(
                "order",
                "order=relevance sorts the results of a search: add a search (q), or use \
                 order=asc or order=desc."
                    .to_owned(),
            ));
        }
        Some(sort) => sort,
        None if searching => Sort::Relevance,
        None => Sort::default(),
    };
    let cursor_fits = match (&view.cursor, filter.sort) {
        (None, _) => true,
        (Some(cursor), Sort::Relevance) => matches!(cursor.key(), Key::Rank { .. }),
        (Some(cursor), Sort::Date(_)) => matches!(cursor.key(), Key::Date { .. }),
    };
    if !cursor_fits {
        return Err(Error::parameter(
            "cursor",
            "This page link belongs to a view sorted another way. Start again from the first page \
             (remove the cursor parameter)."
                .to_owned(),
        ));
    }
    if let (Some(from), Some(to)) = (&filter.from, &filter.to)
        && from.earliest() > to.latest()
    {
        return Err(Error::parameter(
            "to",
            format!(
                "The range starts ({}) after it ends ({}).",
                from.display(),
                to.display()
            ),
        ));
    }
    filter.countries.sort();
    filter
        .types
        .sort_by_key(|t| EventType::ALL.iter().position(|known| known == t));
    Ok(TimelineQuery {
        view,
        actor_text,
        search_error,
    })
}
