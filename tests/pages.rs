//! Every route, in-process, against a temporary database holding the test fixture.

use crate::support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::fixture_app;

#[tokio::test]
async fn timeline_lists_published_events_newest_first_grouped_by_year_and_month() {
    let app = fixture_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("6 published events");
    let y2025 = page.position(">2025</h2>");
    let y2023 = page.position(">2023</h2>");
    assert!(y2025 < y2023, "newest year first");
    let july = page.position(">July 2023</h3>");
    let may = page.position(">May 2023</h3>");
    assert!(july < may, "newest month first");
    assert!(
        page.position("Khrenin visits Tehran") < page.position("Iranian engineers visit the Gomel plant")
    );
}

#[tokio::test]
async fn timeline_order_asc_shows_oldest_first_and_links_back() {
    let app = fixture_app().await;
    let page = app.get("/?order=asc").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.position(">2023</h2>") < page.position(">2025</h2>"));
    page.assert_contains("Oldest first.");
    page.assert_contains(r#"<a href="/?order=asc" aria-current="true">Oldest first</a>"#);
    page.assert_contains(r#"<a href="/">Newest first</a>"#);
    let newest = app.get("/").await;
    newest.assert_contains(r#"<a href="/?order=asc">Oldest first</a>"#);
    newest.assert_contains(r#"<a href="/" aria-current="true">Newest first</a>"#);
}

#[tokio::test]
async fn timeline_rejects_an_unknown_order_with_a_helpful_400_page() {
    let app = fixture_app().await;
    let page = app.get("/?order=sideways").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("“sideways” is not a timeline order");
    page.assert_contains("<html");
}

#[tokio::test]
async fn unknown_parameters_are_dropped_by_a_redirect_and_repeated_single_ones_refused() {
    let app = fixture_app().await;
    let page = app.get("/?utm_source=x&order=asc").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(page.location(), Some("/?order=asc"));
    let repeated = app.get("/?order=asc&order=desc").await;
    assert_eq!(repeated.status, StatusCode::BAD_REQUEST);
    repeated.assert_contains("“order” is given more than once");
    let broken = app.get("/?order=%ff").await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{}", broken.body);
}

#[tokio::test]
async fn timeline_keeps_month_precision_and_never_invents_a_day() {
    let app = fixture_app().await;
    let page = app.get("/").await;
    page.assert_contains(">May 2023</time>");
    page.assert_lacks("1 May 2023");
    page.assert_contains(r#"datetime="2023-05""#);
    page.assert_contains(">31 Jul 2023</time>");
}

#[tokio::test]
async fn timeline_puts_year_only_events_under_month_not_known() {
    let app = fixture_app().await;
    let page = app.get("/").await;
    let group = page.position(">2023, month not known</h3>");
    let brics = page.position("Belarus applies to join BRICS");
    assert!(group < brics);
    assert!(
        page.position(">May 2023</h3>") < group,
        "in newest-first order the unknown month comes after May"
    );
}

#[tokio::test]
async fn timeline_entry_names_type_countries_actors_and_source_count() {
    let app = fixture_app().await;
    let page = app.get("/").await;
    page.assert_contains("Agreement: Memorandum of understanding");
    page.assert_contains(">Iran</a>, <a");
    page.assert_contains(">Mohammad Reza Ashtiani</a>");
    page.assert_contains("2 sources");
    page.assert_contains("1 source<");
}

/// An entry names each of its countries and main actors once, in the order of their
/// roles, even when one takes part in two roles; reporters and mentions are left to
/// the event page.
#[tokio::test]
async fn timeline_entry_names_an_actor_in_two_roles_once_and_leaves_out_reporters() {
    use sqlx::Connection;
    let app = fixture_app().await;
    let url = format!("sqlite://{}", app.database().display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    let visit: i64 = sqlx::query_scalar("SELECT id FROM events WHERE title = 'Khrenin visits Tehran'")
        .fetch_one(&mut other)
        .await
        .expect("visit");
    let khrenin: i64 = sqlx::query_scalar("SELECT id FROM actors WHERE name LIKE '%Khrenin'")
        .fetch_one(&mut other)
        .await
        .expect("khrenin");
    let before = app.get("/").await;
    let link = format!("href=\"/actors/{khrenin}/");
    let shown = before.body.matches(&link).count();
    assert!(shown > 0);
    // Khrenin also hosts the visit; Iran, not a participant so far, only reports it.
    sqlx::query(
        "INSERT INTO event_actors (event_id, actor_id, role, position) VALUES (?1, ?2, 'host', 5), \
           (?1, (SELECT id FROM actors WHERE iso_code = 'IR'), 'reporter', 6)",
    )
    .bind(visit)
    .bind(khrenin)
    .execute(&mut other)
    .await
    .expect("insert");
    // The write went around the store, so past the page cache: a session cookie.
    let after = app.get_with_cookie("entente_session=unknown", "/").await;
    assert_eq!(after.body.matches(&link).count(), shown);
    let entry = &after.body[after.position("Khrenin visits Tehran")..];
    let entry = &entry[..entry.find("</li>").expect("the entry ends")];
    assert!(entry.find(">Belarus</a>").is_some(), "{entry}");
    assert!(!entry.contains(">Iran</a>"), "{entry}");
}

#[tokio::test]
async fn drafts_are_invisible_to_readers() {
    let app = fixture_app().await;
    app.get("/").await.assert_lacks("Unverified rumour");
    let draft_id: i64 = 6;
    let page = app.get(&format!("/events/{draft_id}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = app
        .get(&format!(
            "/events/{draft_id}/unverified-rumour-about-a-drone-plant"
        ))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn event_page_shows_facts_sources_passages_and_claims() {
    let app = fixture_app().await;
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1 id=\"event-title\">Iran and Belarus sign defense MOU in Tehran</h1>");
    page.assert_contains(">31 Jul 2023</time>");
    page.assert_contains("known to the day");
    page.assert_contains("Tehran, <a href=\"/actors/1/iran\">Iran</a>");
    page.assert_contains("Defense Minister of Belarus");
    page.assert_contains("signatory");
    page.assert_contains("<li><a href=\"/tags/drones\">drones</a></li>");
    page.assert_contains("The Cradle");
    page.assert_contains(r#"<a href="https://example.org/cradle" rel="noopener noreferrer">Iran inks defense deal with Russia ally Belarus</a>"#);
    page.assert_contains("published 2 Aug 2023");
    page.assert_contains("Iran and Belarus signed a defense agreement on 31 July.");
    page.assert_contains("(no link known)");
    page.assert_contains("The outlet is not named in the text.");
    page.assert_contains(
        r#"<link rel="canonical" href="/events/1/iran-and-belarus-sign-defense-mou-in-tehran">"#,
    );
}

#[tokio::test]
async fn event_page_states_a_date_disagreement_between_sources() {
    let app = fixture_app().await;
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("Sources disagree");
    page.assert_contains(
        "gives <strong>Jun 2023</strong>, which cannot be reconciled with 31 Jul 2023 (not yet ranked by the editors)",
    );
    page.assert_contains(r#"<span class="verdict verdict-conflict">disagrees</span>"#);
    page.assert_contains(r#"<span class="verdict verdict-ok">agrees</span>"#);
}

#[tokio::test]
async fn event_page_shows_both_sides_of_a_disputed_figure_with_who_said_it() {
    let app = fixture_app().await;
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains(
        "On <strong>Shahed drones Russia has received</strong>, the sources give different values, \
         which the editors have not ranked",
    );
    page.assert_contains("<strong>more than 400</strong>, according to White House");
    page.assert_contains("<strong>more than 1,000</strong>, according to Ukrainian sources");
    page.assert_contains("sources differ, not ranked</span>");
}

#[tokio::test]
async fn event_page_without_disagreement_has_no_warning() {
    let app = fixture_app().await;
    let page = app.get("/events/2/khrenin-visits-tehran").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks("Sources disagree");
}

#[tokio::test]
async fn event_page_explains_an_inferred_year() {
    let app = fixture_app().await;
    let page = app.get("/events/5").await;
    let page = app.get(page.location().expect("redirect")).await;
    page.assert_contains("Nasirzadeh took office in August 2024, so 2025.");
    page.assert_contains("12 Mar 2025");
}

#[tokio::test]
async fn event_page_lists_related_events_from_both_sides() {
    let app = fixture_app().await;
    let mou = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    mou.assert_contains(
        "Follows from</span> <a href=\"/events/2/khrenin-visits-tehran\">Khrenin visits Tehran</a>",
    );
    let visit = app.get("/events/2/khrenin-visits-tehran").await;
    visit.assert_contains("Led to</span> <a href=\"/events/1/iran-and-belarus-sign-defense-mou-in-tehran\">");
}

#[tokio::test]
async fn event_summary_markdown_is_rendered_and_sanitized() {
    let app = fixture_app().await;
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("<strong>memorandum</strong>");
    page.assert_lacks("alert('x')");
    page.assert_lacks("javascript:");
}

#[tokio::test]
async fn event_id_alone_redirects_permanently_to_the_canonical_permalink() {
    let app = fixture_app().await;
    let page = app.get("/events/1").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        page.location(),
        Some("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
    );
}

#[tokio::test]
async fn outdated_or_wrong_slug_redirects_permanently_to_the_canonical_permalink() {
    let app = fixture_app().await;
    for wrong in [
        "/events/1/old-title",
        "/events/1/x",
        "/events/1/IRAN-AND-BELARUS-SIGN-DEFENSE-MOU-IN-TEHRAN",
    ] {
        let page = app.get(wrong).await;
        assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT, "{wrong}");
        assert_eq!(
            page.location(),
            Some("/events/1/iran-and-belarus-sign-defense-mou-in-tehran"),
            "{wrong}"
        );
    }
}

#[tokio::test]
async fn unknown_events_and_malformed_ids_get_a_404_page() {
    let app = fixture_app().await;
    for uri in [
        "/events/999",
        "/events/999/anything",
        "/events/abc",
        "/events/-1",
        "/events/99999999999999999999999",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        page.assert_contains("Not Found");
        page.assert_contains("<a href=\"/\">Go to the timeline</a>");
    }
}

#[tokio::test]
async fn actor_page_lists_aliases_in_every_script_and_events_in_order() {
    let app = fixture_app().await;
    let page = app.get("/actors/3/viktor-khrenin").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1 id=\"actor-name\">Viktor Khrenin</h1>");
    page.assert_contains("<li>Виктор Хренин</li>");
    page.assert_contains("<li>Віктар Хрэнін</li>");
    page.assert_contains("<a href=\"/actors/2/belarus\">Belarus</a>");
    let visit = page.position("Khrenin visits Tehran");
    let agreement = page.position("Defense-industry agreement signed in Minsk");
    assert!(visit < agreement, "oldest first");
    page.assert_contains("as visitor");
}

#[tokio::test]
async fn country_page_lists_its_people_and_events_including_those_located_there() {
    let app = fixture_app().await;
    let page = app.get("/actors/2/belarus").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<span class=\"iso\">BY</span>");
    page.assert_contains("<a href=\"/actors/3/viktor-khrenin\">Viktor Khrenin</a>");
    page.assert_contains("Gomel plant");
    page.assert_contains("Defense-industry agreement signed in Minsk");
    page.assert_lacks("Unverified rumour");
}

#[tokio::test]
async fn actor_redirects_and_404s_like_events() {
    let app = fixture_app().await;
    let page = app.get("/actors/5").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(page.location(), Some("/actors/5/aziz-nasirzadeh"));
    let page = app.get("/actors/5/amir-nasirzadeh").await;
    assert_eq!(page.location(), Some("/actors/5/aziz-nasirzadeh"));
    assert_eq!(app.get("/actors/404").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/actors/x/y").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn actors_index_groups_every_actor_by_kind_with_aliases() {
    let app = fixture_app().await;
    let page = app.get("/actors").await;
    assert_eq!(page.status, StatusCode::OK);
    let countries = page.position("<h2 id=\"countries\">Countries</h2>");
    let people = page.position("<h2 id=\"people\">People</h2>");
    let organizations = page.position("<h2 id=\"organizations\">Organizations</h2>");
    let facilities = page.position("<h2 id=\"facilities\">Facilities</h2>");
    assert!(countries < people && people < organizations && organizations < facilities);
    page.assert_contains("also Amir Nasirzadeh");
    page.assert_contains("<a href=\"/actors/6/foundation-for-defense-of-democracies\">");
    page.assert_contains("2 events");
}

#[tokio::test]
async fn unknown_address_gets_a_404_html_page() {
    let app = fixture_app().await;
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("There is nothing at this address");
    assert!(
        page.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn healthz_reports_a_working_database() {
    let app = fixture_app().await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body, "ok");
    app.app.db.close().await;
    let page = app.get("/healthz").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn every_page_carries_security_headers() {
    let app = fixture_app().await;
    for uri in [
        "/",
        "/events/1/iran-and-belarus-sign-defense-mou-in-tehran",
        "/actors",
        "/nothing",
    ] {
        let page = app.get(uri).await;
        let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{uri}");
        assert_eq!(
            page.headers[header::REFERRER_POLICY],
            "strict-origin-when-cross-origin",
            "{uri}"
        );
    }
}

#[tokio::test]
async fn pages_have_no_inline_scripts_and_load_assets_from_this_server() {
    let app = fixture_app().await;
    let page = app.get("/").await;
    page.assert_lacks("<script>");
    let script_tags = page.body.matches("<script").count();
    let local_scripts = page.body.matches("<script src=\"/static/").count();
    assert_eq!(
        script_tags, local_scripts,
        "every script is an external file of ours"
    );
    page.assert_lacks("http://");
    page.assert_lacks("https://");
}

#[tokio::test]
async fn static_assets_are_fingerprinted_and_cached() {
    let app = fixture_app().await;
    let page = app.get("/").await;
    let start = page.position("/static/style.css?v=");
    let href = &page.body[start..];
    let href = &href[..href.find('"').unwrap()];
    let css = app.get(href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    assert_eq!(
        css.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(css.body.contains(".entry"));
    let etag = css.headers[header::ETAG].clone();

    let stale = app.get("/static/style.css?v=old").await;
    assert_eq!(stale.headers[header::CACHE_CONTROL], "public, max-age=300");

    let revalidated = app
        .send(
            Request::get("/static/style.css")
                .header(header::IF_NONE_MATCH, etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
    assert!(revalidated.body.is_empty());

    assert_eq!(app.get("/static/app.js").await.status, StatusCode::OK);
    assert_eq!(app.get("/static/favicon.svg").await.status, StatusCode::OK);
    assert_eq!(
        app.get("/static/../Cargo.toml").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/static/nothing.css").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() {
    let app = fixture_app().await;
    let body = vec![b'x'; entente::web::BODY_LIMIT_BYTES + 1];
    let page = app
        .send(
            Request::post("/")
                .header(header::CONTENT_LENGTH, body.len())
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_gzip() {
    let app = fixture_app().await;
    let page = app
        .send(
            Request::get("/")
                .header(header::ACCEPT_ENCODING, "gzip")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn user_text_is_escaped_in_titles() {
    let app = fixture_app().await;
    let dataset = entente::import::parse_dataset(
        r#"{"events":[{"key":"x","title":"<img src=x onerror=alert(1)>","type":"other","date":"2024"}]}"#,
    )
    .unwrap();
    entente::import::load_dataset(&app.app.db, &dataset)
        .await
        .unwrap();
    let page = app.get("/").await;
    page.assert_contains("&#60;img src=x onerror=alert(1)&#62;");
    page.assert_lacks("<img src=x");
}

#[tokio::test]
async fn an_event_with_an_open_start_is_filed_under_its_known_end() {
    let app = fixture_app().await;
    let oldest_first = app.get("/?order=asc").await;
    oldest_first.assert_lacks(">1000</h2>");
    oldest_first.assert_contains("until May 2023");
    let gomel = oldest_first.position("Gomel plant retrofits drones");
    assert!(
        oldest_first.position("Belarus applies to join BRICS") < gomel,
        "sorted by its end, not year 1000"
    );
    assert!(oldest_first.position(">May 2023</h3>") < gomel);
    assert!(gomel < oldest_first.position(">July 2023</h3>"));

    let newest_first = app.get("/").await;
    let gomel = newest_first.position("Gomel plant retrofits drones");
    assert!(newest_first.position(">May 2023</h3>") < gomel);
    assert!(gomel < newest_first.position(">2023, month not known</h3>"));
    newest_first.assert_lacks(">1000</h2>");
}

#[tokio::test]
async fn timeline_names_main_actors_but_leaves_reporters_to_the_event_page() {
    let app = fixture_app().await;
    let timeline = app.get("/").await;
    let mou = timeline.position("Iran and Belarus sign defense MOU in Tehran");
    let next = timeline.position("Iranian engineers visit the Gomel plant");
    let line = &timeline.body[mou..next];
    assert!(!line.contains("Foundation for Defense of Democracies"), "{line}");
    let event = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    event.assert_contains("Foundation for Defense of Democracies</a> <span class=\"role\">reporter</span>");
}

#[tokio::test]
async fn undecodable_addresses_get_our_error_pages_not_plain_text() {
    let app = fixture_app().await;
    for uri in [
        "/events/1/%FF",
        "/events/%FF",
        "/actors/%FF/x",
        "/actors/%FF",
        "/static/%FF",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        page.assert_contains("There is nothing at this address");
    }
    let page = app.get("/?order=%FF").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("is not a timeline order");
    page.assert_contains("<html");
}

#[tokio::test]
async fn a_wrong_method_gets_a_405_page_once_past_the_csrf_check() {
    let app = fixture_app().await;
    app.add_user("Eddie", "editor", "editor password 1").await;
    let editor = app.sign_in("Eddie", "editor password 1").await;
    for uri in [
        "/",
        "/events/1/iran-and-belarus-sign-defense-mou-in-tehran",
        "/actors",
    ] {
        // Any POST without the session's token is refused before anything else.
        let page = app.send(Request::post(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{uri}");
        let page = app.post_as(&editor, uri, &[]).await;
        assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED, "{uri}");
        page.assert_contains("pages are read with GET");
    }
}

#[tokio::test]
async fn actor_pages_show_a_first_page_and_continue_on_the_timeline() {
    let app = fixture_app().await;
    // An actor with more events than one page holds.
    let events: Vec<String> = (1..=55)
        .map(|i| {
            format!(
                r#"{{"key": "k{i}", "title": "Prolific event {i}", "type": "meeting", "date": "2024-01-{:02}",
                    "actors": [{{"actor": "khrenin", "role": "participant"}}]}}"#,
                1 + i % 28
            )
        })
        .collect();
    let dataset = format!(
        r#"{{"actors": [{{"key": "khrenin", "kind": "person", "name": "Pavel Prolific"}}], "events": [{}]}}"#,
        events.join(",")
    );
    let dataset = entente::import::parse_dataset(&dataset).unwrap();
    let report = entente::import::load_dataset(&app.app.db, &dataset)
        .await
        .unwrap();
    let copy_id = app.app.db.find_actors("Pavel Prolific").await.unwrap()[0].id;
    assert_eq!(report.events, 55);

    let page = app.get(&format!("/actors/{copy_id}/pavel-prolific")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("55 published events; the first 50 are listed here.");
    page.assert_contains(&format!(
        "<a href=\"/?actor={copy_id}&#38;order=asc\">See them on the timeline</a>"
    ));
    page.assert_contains(&format!("href=\"/?actor={copy_id}&#38;order=asc&#38;cursor="));
    page.assert_contains("Later events of Pavel Prolific →");
    page.assert_contains("as participant");
    // The continuation is the timeline's second page of the same view.
    let start = page.position(&format!("href=\"/?actor={copy_id}&#38;order=asc&#38;cursor=")) + 6;
    let next = page.body[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#38;", "&");
    let rest = app.get(&next).await;
    assert_eq!(rest.status, StatusCode::OK);
    assert_eq!(rest.body.matches("class=\"entry-title\"").count(), 5);
}

#[tokio::test]
async fn shared_links_unfurl_and_an_events_card_may_be_framed_by_any_site() {
    let app = fixture_app().await;
    let event = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    assert_eq!(event.status, StatusCode::OK);
    event.assert_contains(r#"<meta property="og:type" content="article">"#);
    event.assert_contains(
        r#"<meta property="og:title" content="Iran and Belarus sign defense MOU in Tehran">"#,
    );
    event.assert_contains(r#"<meta name="twitter:card" content="summary">"#);
    event.assert_contains(r#"<meta property="og:description" content="Agreement, 31 Jul 2023."#);
    // The summary's markup (event 1 holds a script tag) never reaches the preview: it
    // is plain text, and escaped.
    let start = event.position(r#"<meta property="og:description" content=""#);
    let description = &event.body[start..start + event.body[start..].find('>').expect("tag ends")];
    assert!(
        !description.contains("<script") && !description.contains("&#60;script"),
        "{description}"
    );
    assert!(
        description.contains("The ministers signed a memorandum."),
        "{description}"
    );
    assert_eq!(event.headers.get("x-frame-options").expect("header"), "DENY");
    event.assert_contains(r#"href="/events/1/embed""#);

    let card = app.get("/events/1/embed").await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.body);
    card.assert_contains("Iran and Belarus sign defense MOU in Tehran");
    card.assert_contains(r#"href="/events/1/iran-and-belarus-sign-defense-mou-in-tehran""#);
    card.assert_lacks("site-header");
    card.assert_lacks("<script");
    assert!(card.headers.get("x-frame-options").is_none(), "framing allowed");
    let policy = card.headers.get("content-security-policy").expect("policy");
    let policy = policy.to_str().expect("ascii");
    assert!(
        policy.contains("frame-ancestors *") && policy.contains("script-src 'none'"),
        "{policy}"
    );
    // From the page cache too, and when the browser revalidates its copy (it applies
    // a 304's headers to what it holds).
    let again = app.get("/events/1/embed").await;
    let etag = again.headers.get("etag").expect("from the cache").clone();
    assert!(again.headers.get("x-frame-options").is_none());
    let revalidated = app
        .send(
            Request::get("/events/1/embed")
                .header("if-none-match", etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
    assert!(revalidated.headers.get("x-frame-options").is_none());
    let policy = revalidated
        .headers
        .get("content-security-policy")
        .expect("policy");
    assert!(policy.to_str().expect("ascii").contains("frame-ancestors *"));
    // Drafts have no card.
    assert_eq!(app.get("/events/6/embed").await.status, StatusCode::NOT_FOUND);

    let actor = app.get("/actors/3/viktor-khrenin").await;
    actor.assert_contains(r#"<meta property="og:title" content="Viktor Khrenin">"#);
    let view = app.get("/?country=BY&type=visit").await;
    view.assert_contains(r#"<meta property="og:title" content="Timeline: Country: Belarus, Type: Visit">"#);
}

#[tokio::test]
async fn an_event_can_be_cited_as_text_and_as_files_reference_managers_import() {
    let app = fixture_app().await;
    let page = app
        .get("/events/1/iran-and-belarus-sign-defense-mou-in-tehran")
        .await;
    page.assert_contains("<h2 id=\"cite-heading\">Cite this event</h2>");
    let today = entente::dates::today();
    page.assert_contains("In entente: timelines of defense-cooperation events, version 1 of");
    page.assert_contains(&format!("(accessed {today})"));
    for (uri, kind, marker) in [
        (
            "/events/1/cite.json",
            "application/vnd.citationstyles.csl+json",
            "\"container-title\"",
        ),
        (
            "/events/1/cite.bib",
            "application/x-bibtex; charset=utf-8",
            "@misc{entente-event-1-v1,",
        ),
        (
            "/events/1/cite.ris",
            "application/x-research-info-systems; charset=utf-8",
            "TY  - ELEC",
        ),
    ] {
        page.assert_contains(&format!(r#"href="{uri}" download"#));
        let file = app.get(uri).await;
        assert_eq!(file.status, StatusCode::OK, "{uri}");
        assert_eq!(file.headers.get("content-type").expect("type"), kind);
        assert!(
            file.headers
                .get("content-disposition")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("attachment")),
            "{uri}"
        );
        file.assert_contains(marker);
        file.assert_contains("/events/1/iran-and-belarus-sign-defense-mou-in-tehran");
    }
    // Drafts cannot be cited by readers.
    assert_eq!(app.get("/events/6/cite.ris").await.status, StatusCode::NOT_FOUND);
}
