//! Full-text search (`q`): aliases in every script, accents and case, prefixes,
//! passages and summaries, ranking, highlighting, combination with filters, canonical
//! addresses, and searches that cannot be understood.

use crate::support;

use axum::http::StatusCode;
use support::{Page, TestApp, fixture_app};

// Fixture event ids (see tests/support/fixture.json).
const MOU: i64 = 1;
const VISIT: i64 = 2;
const ENGINEERS: i64 = 3;
const MINSK: i64 = 5;
const GOMEL: i64 = 7;

/// Event ids in the order the page lists them.
fn listed(page: &Page) -> Vec<i64> {
    page.body
        .split("<h3 class=\"entry-title\"><a href=\"/events/")
        .chain(page.body.split("<h4 class=\"entry-title\"><a href=\"/events/"))
        .skip(1)
        .filter_map(|rest| rest.split('/').next()?.parse().ok())
        .collect()
}

/// Event ids listed, sorted, for checks that do not care about the order.
fn found(page: &Page) -> Vec<i64> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut ids = listed(page);
    ids.sort();
    ids
}

async fn search(app: &TestApp, query: &str) -> Page {
    app.get(&format!("/?{query}")).await
}

#[tokio::test]
async fn aliases_match_in_any_script_case_and_accent() {
    let app = fixture_app().await;
    // Nasirzadeh is only in the Minsk agreement; "Amir Nasirzadeh" is his alias.
    for q in ["nasirzade", "NASIRZADEH", "Nasirz%C4%81deh", "amir+nasir"] {
        assert_eq!(found(&search(&app, &format!("q={q}")).await), [MINSK], "q={q}");
    }
    // Khrenin: Latin, Russian and Belarusian spellings, any case.
    for q in [
        "khrenin",
        "%D0%A5%D1%80%D0%B5%D0%BD%D0%B8%D0%BD",
        "%D1%85%D1%80%D1%8D%D0%BD%D1%96%D0%BD",
    ] {
        assert_eq!(
            found(&search(&app, &format!("q={q}")).await),
            [MOU, VISIT, MINSK],
            "q={q}"
        );
    }
    // A country's alias in Persian script finds the events Iran takes part in or hosts.
    let iran = search(&app, "q=%D8%A7%DB%8C%D8%B1%D8%A7%D9%86").await;
    assert_eq!(found(&iran), [MOU, VISIT, ENGINEERS]);
}

#[tokio::test]
async fn passages_and_summaries_are_searched_and_highlighted() {
    let app = fixture_app().await;
    // "the Iranian capital" is only in the visit's cited passage.
    let page = search(&app, "q=iranian+capital").await;
    assert_eq!(found(&page), [VISIT]);
    page.assert_contains(
        "<p class=\"snippet\">during a meeting in the <mark>Iranian</mark> <mark>capital</mark>",
    );
    // The MOU's summary is Markdown; it is searched as text, without its markup.
    let page = search(&app, "q=memorandum").await;
    assert!(found(&page).contains(&MOU));
    page.assert_contains("<mark>memorandum</mark>");
    page.assert_lacks("**<mark>");
    page.assert_lacks("<script>alert");
}

#[tokio::test]
async fn words_match_as_prefixes_and_all_words_must_match() {
    let app = fixture_app().await;
    assert_eq!(found(&search(&app, "q=retrofit").await), [GOMEL]);
    assert_eq!(found(&search(&app, "q=gomel+retrofit").await), [GOMEL]);
    assert_eq!(found(&search(&app, "q=gomel").await), [ENGINEERS, GOMEL]);
    assert_eq!(found(&search(&app, "q=gomel+-retrofit").await), [ENGINEERS]);
    assert_eq!(
        found(&search(&app, "q=retrofit+OR+nasirzadeh").await),
        [MINSK, GOMEL]
    );
    // A quoted phrase is matched exactly, not as a prefix.
    assert_eq!(
        found(&search(&app, "q=%22iranian+capita%22").await),
        Vec::<i64>::new()
    );
}

#[tokio::test]
async fn titles_outrank_passages_and_matched_title_words_are_marked() {
    let app = fixture_app().await;
    // Tehran is in two titles; the shorter one, about nothing else, ranks first.
    let page = search(&app, "q=tehran").await;
    let ids = listed(&page);
    assert_eq!(
        ids.first(),
        Some(&VISIT),
        "the shortest title naming Tehran ranks first: {ids:?}"
    );
    page.assert_contains("Khrenin visits <mark>Tehran</mark></a>");
    page.assert_contains("Best matches first.");
    page.assert_contains("id=\"results-heading\"");
}

#[tokio::test]
async fn drafts_are_never_found() {
    let app = fixture_app().await;
    let page = search(&app, "q=rumour").await;
    assert_eq!(found(&page), Vec::<i64>::new());
    page.assert_contains("0 matching events");
    page.assert_contains("No published event matches these filters.");
}

#[tokio::test]
async fn search_combines_with_filters_and_date_order() {
    let app = fixture_app().await;
    assert_eq!(found(&search(&app, "q=khrenin&country=IR").await), [MOU, VISIT]);
    assert_eq!(
        found(&search(&app, "q=khrenin&type=agreement").await),
        [MOU, MINSK]
    );
    assert_eq!(found(&search(&app, "q=khrenin&from=2025").await), [MINSK]);
    // By date: grouped by year like the plain timeline, newest first, still highlighted.
    let page = search(&app, "q=khrenin&order=desc").await;
    assert_eq!(listed(&page), [MINSK, VISIT, MOU]);
    page.assert_contains(">2025</h2>");
    page.assert_contains("<mark>Khrenin</mark>");
    page.assert_contains("href=\"/?q=khrenin&#38;order=desc\" aria-current=\"true\">Newest first");
    page.assert_contains("href=\"/?q=khrenin\">Best match");
    let page = search(&app, "q=khrenin&order=asc").await;
    assert_eq!(listed(&page), [MOU, VISIT, MINSK]);
}

#[tokio::test]
async fn search_addresses_are_canonical() {
    let app = fixture_app().await;
    let page = search(&app, "country=IR&q=+tehran+").await;
    assert_eq!(page.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(page.location(), Some("/?q=tehran&country=IR"));
    let page = search(&app, "q=tehran&order=relevance").await;
    assert_eq!(page.location(), Some("/?q=tehran"));
    let page = search(&app, "q=&country=IR").await;
    assert_eq!(page.location(), Some("/?country=IR"));
    let page = search(&app, "order=relevance").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("order=relevance sorts the results of a search");
    let page = search(&app, "q=iran&q=belarus").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("“q” is given more than once");
}

#[tokio::test]
async fn the_search_is_a_chip_and_stays_in_the_form() {
    let app = fixture_app().await;
    let page = search(&app, "q=khrenin&country=IR").await;
    page.assert_contains("Search: khrenin <a href=\"/?country=IR\"");
    page.assert_contains("Country: Iran <a href=\"/?q=khrenin\"");
    page.assert_contains("id=\"q\" name=\"q\" type=\"search\" value=\"khrenin\"");
}

#[tokio::test]
async fn a_search_that_cannot_be_understood_is_explained_beside_the_field() {
    let app = fixture_app().await;
    for (q, message) in [
        ("%22drone+factory", "A quotation mark is not closed"),
        ("OR", "OR must stand between two words"),
        ("-drones", "The search only excludes words"),
        ("%21%21%21", "The search has no words to look for"),
    ] {
        let page = search(&app, &format!("q={q}&country=IR")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "q={q}");
        page.assert_contains(message);
        page.assert_contains("role=\"alert\">This search could not be understood");
        page.assert_contains("aria-invalid=\"true\"");
        // The page is the timeline, with the form and the other filters kept.
        page.assert_contains("<form class=\"filters\"");
        page.assert_contains("<option value=\"IR\" selected>Iran</option>");
        assert_eq!(listed(&page), Vec::<i64>::new(), "q={q}");
    }
    let page = search(&app, "q=%22drone+factory").await;
    page.assert_contains("value=\"&#34;drone factory\"");
}

#[tokio::test]
async fn search_text_is_escaped_everywhere_it_is_shown() {
    let app = fixture_app().await;
    let page = search(&app, "q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks("<script>alert(1)");
    page.assert_contains("&#60;script&#62;alert(1)");
}

#[tokio::test]
async fn an_outdated_or_missing_search_index_is_rebuilt_at_start() {
    let app = fixture_app().await;
    let path = app.dir.path().join("test.sqlite3");
    app.app.db.close().await;
    // Empty the index and forget which version wrote it, as an older release would leave it.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("database opens");
    sqlx::query("DELETE FROM event_search")
        .execute(&pool)
        .await
        .expect("index emptied");
    sqlx::query("DELETE FROM settings")
        .execute(&pool)
        .await
        .expect("settings emptied");
    pool.close().await;

    let mut config = entente::Config::for_database(path);
    config.demo_data = false;
    let reopened = TestApp {
        app: entente::build(&config).await.expect("app builds"),
        dir: app.dir,
    };
    assert_eq!(found(&search(&reopened, "q=nasirzade").await), [MINSK]);
}

#[tokio::test]
async fn the_demo_data_is_searchable_by_alias() {
    let app = support::demo_app().await;
    let page = search(&app, "q=%D0%A5%D1%80%D0%B5%D0%BD%D0%B8%D0%BD").await;
    assert!(
        !found(&page).is_empty(),
        "the Russian spelling of Khrenin finds events"
    );
    page.assert_contains("<mark>Хренин</mark>");
}
