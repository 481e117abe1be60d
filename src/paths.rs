//! Every address entente links or redirects to, built in one place: handlers, templates
//! and redirects call these functions, and no other code writes `/events/…` by hand. The
//! routes in `web::router` are the other side of the same list. Ids and entities are
//! taken as `impl Borrow<…>` because templates pass arguments by reference: a template
//! writes `{{ crate::paths::actor_edit(actor.id) }}` and calls the same function.

use std::borrow::Borrow;

use crate::domain::Entity;

/// Bytes kept as they are in a path segment (RFC 3986 unreserved); all others are
/// percent-encoded.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A query value that is a local path: slashes stay readable (`?next=/events/1`).
const PATH_IN_QUERY: &percent_encoding::AsciiSet = &PATH_SEGMENT.remove(b'/');

fn segment(text: &str) -> percent_encoding::PercentEncode<'_> {
    percent_encoding::utf8_percent_encode(text, PATH_SEGMENT)
}

/// The timeline with a canonical query string (`country=BY&type=agreement`), or the
/// plain timeline for an empty one.
pub fn timeline(query: &str) -> String {
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// A timeline view as a file (`ending`: `csv`, `json`, `ics`, `atom`,
/// `timelinejs.json`), with the same canonical query string as the view.
pub fn timeline_file(ending: &str, query: &str) -> String {
    if query.is_empty() {
        format!("/timeline.{ending}")
    } else {
        format!("/timeline.{ending}?{query}")
    }
}

/// The timeline with no filter: the home page.
pub fn home() -> &'static str {
    "/"
}

/// The drafts, listed on the timeline (editors only).
pub fn drafts() -> String {
    timeline("status=draft")
}

/// Every actor, by kind.
pub fn actors() -> &'static str {
    "/actors"
}

/// Every tag.
pub fn tags() -> &'static str {
    "/tags"
}

/// Every outlet.
pub fn outlets() -> &'static str {
    "/outlets"
}

/// The latest changes across the site (editors only).
pub fn changes() -> &'static str {
    "/changes"
}

/// The sign-in form.
pub fn login_form() -> &'static str {
    "/login"
}

/// Where signing out posts.
pub fn logout() -> &'static str {
    "/logout"
}

/// Accounts, for admins.
pub fn accounts() -> &'static str {
    "/admin/users"
}

/// Where an admin changes one account: `action` is `disable`, `enable`, `role` or
/// `password`.
pub fn account(id: impl Borrow<i64>, action: &str) -> String {
    let id = *id.borrow();
    format!("/admin/users/{id}/{action}")
}

/// An event's permalink: `/events/19/iran-and-belarus-sign-defense-mou`.
pub fn event(id: impl Borrow<i64>, slug: &str) -> String {
    let id = *id.borrow();
    format!("/events/{id}/{slug}")
}

/// A saved version of an event, to cite: `/events/19/{slug}/v/3`.
pub fn event_version(id: impl Borrow<i64>, slug: &str, version: impl Borrow<i64>) -> String {
    format!("/events/{}/{slug}/v/{}", id.borrow(), version.borrow())
}

/// The short form of an event's permalink; it redirects to [`event`].
pub fn event_short(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/events/{id}")
}

/// The event an editor names by `#12`, `12` or by pasting its address (any host, any
/// slug): the inverse of [`event`].
pub fn event_id_in(text: &str) -> Option<i64> {
    text.trim()
        .split("/events/")
        .nth(1)
        .unwrap_or(text.trim())
        .trim_start_matches('#')
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse::<i64>().ok())
}

/// An event's compact card, for an `<iframe>` on another site.
pub fn event_embed(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/events/{id}/embed")
}

/// An event's citation as a file: `ending` is `json` (CSL-JSON), `bib` or `ris`.
pub fn event_citation(id: impl Borrow<i64>, ending: &str) -> String {
    let id = *id.borrow();
    format!("/events/{id}/cite.{ending}")
}

/// The form for a new event.
pub fn event_new() -> &'static str {
    "/events/new"
}

/// An event's edit form.
pub fn event_edit(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/events/{id}/edit")
}

/// Where an event's publication status changes.
pub fn event_status(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/events/{id}/status")
}

/// An admin's confirmation page for deleting an event.
pub fn event_delete(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/events/{id}/delete")
}

/// An actor's page: `/actors/9/amir-nasirzadeh`.
pub fn actor(id: impl Borrow<i64>, slug: &str) -> String {
    let id = *id.borrow();
    format!("/actors/{id}/{slug}")
}

/// The short form of an actor's page; it redirects to [`actor`].
pub fn actor_short(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/actors/{id}")
}

/// An actor's edit form.
pub fn actor_edit(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/actors/{id}/edit")
}

/// Where an actor is merged into another.
pub fn actor_merge(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/actors/{id}/merge")
}

/// A source's edit form.
pub fn source_edit(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/sources/{id}/edit")
}

/// An outlet's edit form (by the outlet's id; its page is [`outlet`], by name).
pub fn outlet_edit(id: impl Borrow<i64>) -> String {
    let id = *id.borrow();
    format!("/outlets/{id}/edit")
}

/// A source's edit form that returns to `next` (a local path) after saving.
pub fn source_edit_then(id: impl Borrow<i64>, next: &str) -> String {
    let id = *id.borrow();
    let next = percent_encoding::utf8_percent_encode(next, PATH_IN_QUERY);
    format!("/sources/{id}/edit?next={next}")
}

/// Where a record's history pages start: `/events/12`, `/actors/3`, `/sources/5`. For
/// an event and an actor it is also their short address (it redirects to their page);
/// a source has no page of its own, so link [`history`] or [`source_edit`] instead.
pub fn record(entity: impl Borrow<Entity>, id: impl Borrow<i64>) -> String {
    let entity = *entity.borrow();
    let id = *id.borrow();
    match entity {
        Entity::Event => event_short(id),
        Entity::Actor => actor_short(id),
        Entity::Source => format!("/sources/{id}"),
        Entity::Outlet => format!("/outlets/{id}"),
    }
}

/// A record's history.
pub fn history(entity: impl Borrow<Entity>, id: impl Borrow<i64>) -> String {
    let entity = *entity.borrow();
    let id = *id.borrow();
    format!("{}/history", record(entity, id))
}

/// Where two versions of a record are compared: the action of the form that picks them.
pub fn compare_form(entity: impl Borrow<Entity>, id: impl Borrow<i64>) -> String {
    format!("{}/compare", record(entity, id))
}

/// Two versions of a record compared.
pub fn compare(entity: impl Borrow<Entity>, id: impl Borrow<i64>, from: i64, to: i64) -> String {
    format!("{}?from={from}&to={to}", compare_form(entity, id))
}

/// Where an earlier version of a record is brought back.
pub fn revert(entity: impl Borrow<Entity>, id: impl Borrow<i64>) -> String {
    let entity = *entity.borrow();
    let id = *id.borrow();
    format!("{}/revert", record(entity, id))
}

/// A tag's page: `/tags/drones`.
pub fn tag(name: &str) -> String {
    format!("/tags/{}", segment(name))
}

/// An outlet's page: `/outlets/The%20Cradle`.
pub fn outlet(name: &str) -> String {
    format!("/outlets/{}", segment(name))
}

/// The published collection as a Data Package: its descriptor.
pub fn datapackage() -> &'static str {
    "/data/datapackage.json"
}

/// The signed-in editor's account: personal API tokens.
pub fn own_account() -> &'static str {
    "/account"
}

/// Making a token, from the account page.
pub fn account_tokens() -> &'static str {
    "/account/tokens"
}

/// Revoking one of the editor's tokens.
pub fn account_token_revoke(id: impl Borrow<i64>) -> String {
    format!("/account/tokens/{}/revoke", id.borrow())
}

/// Where the read API starts; every API address is under it.
pub const API: &str = "/api/v1";

/// The API's readable description (an HTML page).
pub fn api_guide() -> &'static str {
    "/api"
}

/// The API's OpenAPI document.
pub fn api_openapi() -> String {
    format!("{API}/openapi.json")
}

fn with_query(path: String, query: &str) -> String {
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// Events of a timeline view in the API, with the timeline's canonical query string.
pub fn api_events(query: &str) -> String {
    with_query(format!("{API}/events"), query)
}

/// One event in the API.
pub fn api_event(id: impl Borrow<i64>) -> String {
    format!("{API}/events/{}", id.borrow())
}

/// Every actor in the API.
pub fn api_actors() -> String {
    format!("{API}/actors")
}

/// One actor in the API.
pub fn api_actor(id: impl Borrow<i64>) -> String {
    format!("{API}/actors/{}", id.borrow())
}

/// Sources in the API, with a query string (`after=120`).
pub fn api_sources(query: &str) -> String {
    with_query(format!("{API}/sources"), query)
}

/// One source in the API.
pub fn api_source(id: impl Borrow<i64>) -> String {
    format!("{API}/sources/{}", id.borrow())
}

/// Every tag in the API.
pub fn api_tags() -> String {
    format!("{API}/tags")
}

/// One tag in the API.
pub fn api_tag(name: &str) -> String {
    format!("{API}/tags/{}", segment(name))
}

/// Every outlet in the API.
pub fn api_outlets() -> String {
    format!("{API}/outlets")
}

/// One outlet in the API.
pub fn api_outlet(name: &str) -> String {
    format!("{API}/outlets/{}", segment(name))
}

/// The sign-in page, coming back to `next` (a local path) afterwards.
pub fn login(next: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    format!("{}?{query}", login_form())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_single_path_segments() {
        assert_eq!(tag("drones"), "/tags/drones");
        assert_eq!(outlet("The Cradle"), "/outlets/The%20Cradle");
        assert_eq!(outlet("RFE/RL"), "/outlets/RFE%2FRL");
        assert_eq!(tag("défense-industry"), "/tags/d%C3%A9fense-industry");
        assert_eq!(
            tag("беспилотники"),
            "/tags/%D0%B1%D0%B5%D1%81%D0%BF%D0%B8%D0%BB%D0%BE%D1%82%D0%BD%D0%B8%D0%BA%D0%B8"
        );
    }

    #[test]
    fn pasted_event_addresses_name_their_event() {
        assert_eq!(event_id_in("#12"), Some(12));
        assert_eq!(event_id_in(" 7 "), Some(7));
        assert_eq!(event_id_in("https://example.org/events/19/iran-mou"), Some(19));
        assert_eq!(event_id_in(&event(4, "a-b")), Some(4));
        assert_eq!(event_id_in("the MOU"), None);
    }

    #[test]
    fn record_pages_share_one_base() {
        assert_eq!(history(Entity::Event, 12), "/events/12/history");
        assert_eq!(history(Entity::Source, 5), "/sources/5/history");
        assert_eq!(compare(Entity::Actor, 3, 1, 2), "/actors/3/compare?from=1&to=2");
        assert_eq!(revert(Entity::Event, 4), "/events/4/revert");
        assert_eq!(timeline(""), "/");
        assert_eq!(timeline("tag=drones"), "/?tag=drones");
        assert_eq!(login("/events/3/edit"), "/login?next=%2Fevents%2F3%2Fedit");
        assert_eq!(source_edit_then(2, "/events/1"), "/sources/2/edit?next=/events/1");
        assert_eq!(api_events(""), "/api/v1/events");
        assert_eq!(api_events("country=IR"), "/api/v1/events?country=IR");
        assert_eq!(api_outlet("RFE/RL"), "/api/v1/outlets/RFE%2FRL");
    }
}
