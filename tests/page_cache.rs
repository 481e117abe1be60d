//! The page cache: readers' pages are stored per address until the data changes, carry
//! an ETag that browsers revalidate with, and are never served stale.

use crate::support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::fixture_app;

#[tokio::test]
async fn a_stored_page_is_the_same_page_with_its_tag_and_security_headers() {
    let app = fixture_app().await;
    let first = app.get("/?country=BY").await;
    let second = app.get("/?country=BY").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body, second.body);
    let etag = first.headers.get(header::ETAG).expect("an ETag");
    assert_eq!(second.headers.get(header::ETAG), Some(etag));
    assert_eq!(second.headers[header::CACHE_CONTROL], "no-cache");
    assert!(
        second.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = second.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    // Another address is another page, with another tag.
    let other = app.get("/?country=IR").await;
    assert_ne!(other.headers.get(header::ETAG), Some(etag));
}

#[tokio::test]
async fn a_browser_holding_the_current_page_gets_304_without_a_body() {
    let app = fixture_app().await;
    let page = app.get("/actors").await;
    let etag = page.headers[header::ETAG].clone();
    for tags in [
        etag.to_str().unwrap().to_owned(),
        format!("\"old\", W/{}", etag.to_str().unwrap()),
    ] {
        let revalidated = app
            .send(
                Request::get("/actors")
                    .header(header::IF_NONE_MATCH, tags.as_str())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED, "{tags}");
        assert!(revalidated.body.is_empty());
        assert_eq!(revalidated.headers[header::ETAG], etag);
    }
    let stale = app
        .send(
            Request::get("/actors")
                .header(header::IF_NONE_MATCH, "\"something-else\"")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body, page.body);
}

#[tokio::test]
async fn a_write_replaces_every_stored_page() {
    let app = fixture_app().await;
    let before = app.get("/").await;
    let actors_before = app.get("/actors").await;
    before.assert_lacks("Cached pages are renewed");

    let dataset = entente::import::parse_dataset(
        r#"{"actors": [{"key": "newcomer", "kind": "person", "name": "Nadia Newcomer"}],
            "events": [{"key": "fresh", "title": "Cached pages are renewed", "type": "meeting",
                        "date": "2026-03-01", "actors": [{"actor": "newcomer", "role": "participant"}]}]}"#,
    )
    .expect("dataset parses");
    entente::import::load_dataset(&app.app.db, &dataset)
        .await
        .expect("dataset loads");

    let after = app.get("/").await;
    after.assert_contains("Cached pages are renewed");
    assert_ne!(after.headers[header::ETAG], before.headers[header::ETAG]);
    app.get("/actors").await.assert_contains("Nadia Newcomer");
    // A browser holding the old page is sent the new one.
    let revalidated = app
        .send(
            Request::get("/actors")
                .header(header::IF_NONE_MATCH, actors_before.headers[header::ETAG].clone())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revalidated.status, StatusCode::OK);
    revalidated.assert_contains("Nadia Newcomer");
}

#[tokio::test]
async fn errors_redirects_and_requests_with_cookies_are_rendered_afresh() {
    let app = fixture_app().await;
    for uri in ["/?q=%22unclosed", "/?order=sideways", "/nothing", "/?limit=50"] {
        let page = app.get(uri).await;
        assert_ne!(page.status, StatusCode::OK, "{uri}");
        assert!(page.headers.get(header::ETAG).is_none(), "{uri} was stored");
    }
    app.get("/").await;
    let with_cookie = |cookie: &'static str| {
        app.send(
            Request::get("/")
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
    };
    let editor = with_cookie("entente_session=someone").await;
    assert_eq!(editor.status, StatusCode::OK);
    assert!(
        editor.headers.get(header::ETAG).is_none(),
        "a request with the session cookie may see a personal page and is never answered from the store"
    );
    // Any other cookie leaves a reader a reader: the stored page, at no cost.
    let reader = with_cookie("entente_signin=abc.def; theme=dark").await;
    assert_eq!(reader.status, StatusCode::OK);
    assert!(
        reader.headers.get(header::ETAG).is_some(),
        "served from the page cache"
    );
}

#[tokio::test]
async fn the_sign_in_form_stores_no_session_and_is_never_stored_itself() {
    let app = support::fixture_app().await;
    let first = app.get("/login").await;
    let second = app.get("/login").await;
    assert!(
        support::session_cookie(&first).is_none(),
        "no session for a visitor"
    );
    let cookie = |page: &support::Page| support::signin_cookie(page).expect("a token per visitor");
    assert_ne!(cookie(&first), cookie(&second));
    assert_ne!(support::csrf_in(&first), support::csrf_in(&second));
    assert_eq!(second.headers.get("cache-control").expect("header"), "no-store");
    assert!(second.headers.get("etag").is_none(), "not from the page cache");
}
