//! Editors' accounts, in-process: signing in and out, sessions, the login throttle,
//! CSRF checks, roles, account management and what editors see that readers do not.

use crate::support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use support::{Agent, fixture_app, form_body, session_cookie};

const ADMIN_PASSWORD: &str = "admin password 1";
const EDITOR_PASSWORD: &str = "editor password 1";

async fn app_with_accounts() -> support::TestApp {
    let app = fixture_app().await;
    app.add_user("Ada", "admin", ADMIN_PASSWORD).await;
    app.add_user("Eddie", "editor", EDITOR_PASSWORD).await;
    app
}

#[tokio::test]
async fn signing_in_returns_to_the_page_asked_for_with_a_hardened_cookie() {
    let app = app_with_accounts().await;
    let asked = app.get("/admin/users").await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(asked.location(), Some("/login?next=%2Fadmin%2Fusers"));

    let form = app.get("/login?next=%2Fadmin%2Fusers").await;
    form.assert_contains(r#"name="next" value="/admin/users""#);
    // The form stores nothing: its token is signed, in a cookie only the sign-in
    // address receives.
    assert!(session_cookie(&form).is_none(), "no session for a visitor");
    let set_cookie = form.headers.get("set-cookie").expect("the token's cookie");
    let set_cookie = set_cookie.to_str().expect("ascii");
    for attribute in [
        "entente_signin=",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/login",
        "Max-Age=",
    ] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} missing: {set_cookie}"
        );
    }
    let visitor = Agent {
        cookie: support::signin_cookie(&form).expect("cookie"),
        csrf: support::csrf_in(&form),
    };
    let signed_in = app
        .post_as(
            &visitor,
            "/login",
            &[
                ("name", "ada"),
                ("password", ADMIN_PASSWORD),
                ("next", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER, "{}", signed_in.body);
    assert_eq!(
        signed_in.location(),
        Some("/admin/users"),
        "names match in any case"
    );
    let cookie = session_cookie(&signed_in).expect("a session, stored at sign-in");
    let set_cookie = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("entente_session="))
        .expect("the session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age="] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} missing: {set_cookie}"
        );
    }

    let page = app.get_with_cookie(&cookie, "/admin/users").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("Signed in as <strong>Ada</strong> (admin)");
    page.assert_contains("<h1>Accounts</h1>");
    let cache = page.headers.get("cache-control").expect("cache-control");
    assert_eq!(cache, "private, no-cache");
    // The sign-in token's cookie opens nothing.
    let old = app.get_with_cookie(&visitor.cookie, "/admin/users").await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn next_never_leads_to_another_site() {
    let app = app_with_accounts().await;
    let visitor = app.visit_login().await;
    let page = app
        .post_as(
            &visitor,
            "/login",
            &[
                ("name", "Eddie"),
                ("password", EDITOR_PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/"));
}

#[tokio::test]
async fn a_failed_sign_in_never_says_whether_the_account_exists() {
    let app = app_with_accounts().await;
    let disabled = app.add_user("Gone", "editor", "gone password 1").await;
    app.app
        .db
        .set_user_disabled(disabled.id, true)
        .await
        .expect("disabled");
    let wrong_password = app.try_sign_in("Eddie", "not the password").await;
    let no_account = app.try_sign_in("Nobody", "not the password").await;
    let disabled = app.try_sign_in("Gone", "gone password 1").await;
    for page in [&wrong_password, &no_account, &disabled] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
        page.assert_contains("That name and password do not match an active account.");
        page.assert_lacks("Signed in as");
    }
    // The name typed is kept; the password is not.
    wrong_password.assert_contains(r#"value="Eddie""#);
    wrong_password.assert_lacks("not the password");
}

#[tokio::test]
async fn repeated_failures_slow_down_sign_in_even_with_the_right_password() {
    let app = app_with_accounts().await;
    for _ in 0..3 {
        let page = app.try_sign_in("Eddie", "guess guess guess").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = app.try_sign_in("Eddie", EDITOR_PASSWORD).await;
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        throttled.body
    );
    throttled.assert_contains("Too many failed sign-ins. Please wait");
    throttled.assert_lacks("Signed in as");
    // An account that does not exist is throttled the same way.
    for _ in 0..3 {
        app.try_sign_in("Nobody", "guess guess guess").await;
    }
    let unknown = app.try_sign_in("Nobody", "guess guess guess").await;
    assert_eq!(unknown.status, StatusCode::TOO_MANY_REQUESTS);
    // Other accounts are not affected by one account's failures.
    let other = app.try_sign_in("Ada", ADMIN_PASSWORD).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "{}", other.body);
}

#[tokio::test]
async fn a_sign_in_lockout_ends_when_the_failures_are_old() {
    let app = app_with_accounts().await;
    // Ten failures an hour ago: outside the window, so they no longer count.
    let an_hour_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
        - 3600;
    for _ in 0..10 {
        app.app
            .db
            .record_login_failure("eddie", "unknown", an_hour_ago, 0)
            .await
            .expect("recorded");
    }
    let page = app.try_sign_in("Eddie", EDITOR_PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
}

#[tokio::test]
async fn forms_without_the_session_token_are_refused_and_change_nothing() {
    let app = app_with_accounts().await;
    let admin = app.sign_in("Ada", ADMIN_PASSWORD).await;
    let fields = [
        ("name", "Mallory"),
        ("role", "admin"),
        ("password", "mallory password"),
    ];

    let missing = app.post_form(Some(&admin.cookie), "/admin/users", &fields).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    missing.assert_contains("Nothing was changed");
    let mut forged = vec![("csrf_token", "0".repeat(64))];
    forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let wrong = app.post_form(Some(&admin.cookie), "/admin/users", &forged).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);

    // The right token from another site's page is still refused.
    let mut with_token = vec![("csrf_token", admin.csrf.as_str())];
    with_token.extend_from_slice(&fields);
    let cross_site = app
        .send(
            Request::post("/admin/users")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &admin.cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(form_body(&with_token)))
                .expect("request"),
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);

    // A token from another session does not work either.
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let swapped = Agent {
        cookie: admin.cookie.clone(),
        csrf: editor.csrf.clone(),
    };
    let swapped = app.post_as(&swapped, "/admin/users", &fields).await;
    assert_eq!(swapped.status, StatusCode::FORBIDDEN);

    let accounts = app.app.db.users().await.expect("users");
    assert!(accounts.iter().all(|u| u.name != "Mallory"), "{accounts:?}");
    // Signing out needs the token too.
    let logout = app.post_form(Some(&admin.cookie), "/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    let still = app.get_as(&admin, "/admin/users").await;
    assert_eq!(still.status, StatusCode::OK);
    // A sign-in form posted without a session is refused as well.
    let login = app
        .post_form(None, "/login", &[("name", "Ada"), ("password", ADMIN_PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_editor_s_pages_do_not_write_the_session_on_every_request() {
    let app = app_with_accounts().await;
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    use sqlx::Connection;
    let url = format!("sqlite://{}", app.database().display());
    let mut other = sqlx::SqliteConnection::connect(&url).await.expect("connects");
    let stored = "SELECT data, expiry_date FROM tower_sessions";
    let before: Vec<(Vec<u8>, String)> = sqlx::query_as(stored)
        .fetch_all(&mut other)
        .await
        .expect("sessions");
    assert_eq!(before.len(), 1, "one session, stored at sign-in");
    for path in ["/", "/?country=BY", "/?q=drones"] {
        let page = app.get_as(&editor, path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        page.assert_contains("Signed in as <strong>Eddie</strong>");
        // Renewed at sign-in a moment ago: nothing to save, no cookie to send again.
        assert!(session_cookie(&page).is_none(), "{path} saved the session again");
    }
    let after: Vec<(Vec<u8>, String)> = sqlx::query_as(stored)
        .fetch_all(&mut other)
        .await
        .expect("sessions");
    assert_eq!(after, before, "the stored session is untouched");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = app_with_accounts().await;
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let out = app.post_as(&editor, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), Some("/"));
    let after = app.get_as(&editor, "/events/6").await;
    assert_eq!(after.status, StatusCode::NOT_FOUND, "the old cookie is worthless");
}

#[tokio::test]
async fn readers_are_sent_to_sign_in_editors_are_refused_admin_pages() {
    let app = app_with_accounts().await;
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let page = app.get_as(&editor, "/admin/users").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("Only admins may do this.");
    let target = app.app.db.user_by_name("Ada").await.expect("query").expect("Ada");
    let disable = app
        .post_as(&editor, &format!("/admin/users/{}/disable", target.id), &[])
        .await;
    assert_eq!(disable.status, StatusCode::FORBIDDEN);
    let ada = app.app.db.user(target.id).await.expect("query").expect("Ada");
    assert!(!ada.is_disabled());
    // Readers never see the account bar or the accounts link.
    let home = app.get("/").await;
    home.assert_lacks("Signed in as");
    home.assert_contains(r#"<a href="/login">Editors: sign in</a>"#);
    let editor_home = app.get_as(&editor, "/").await;
    editor_home.assert_contains("Signed in as <strong>Eddie</strong> (editor)");
    editor_home.assert_lacks(r#"href="/admin/users""#);
    editor_home.assert_lacks("Editors: sign in");
}

#[tokio::test]
async fn an_editor_s_pages_never_reach_readers_through_the_page_cache() {
    let app = app_with_accounts().await;
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let first = app
        .get_as(&editor, "/events/6/unverified-rumour-about-a-drone-plant")
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let home = app.get_as(&editor, "/").await;
    home.assert_contains("Signed in as");
    let reader = app.get("/").await;
    reader.assert_lacks("Signed in as");
    let draft = app.get("/events/6/unverified-rumour-about-a-drone-plant").await;
    assert_eq!(draft.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn editors_see_drafts_marked_as_drafts() {
    let app = app_with_accounts().await;
    assert_eq!(app.get("/events/6").await.status, StatusCode::NOT_FOUND);
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let redirect = app.get_as(&editor, "/events/6").await;
    assert_eq!(redirect.status, StatusCode::PERMANENT_REDIRECT);
    let page = app.get_as(&editor, redirect.location().expect("location")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("<strong>Draft.</strong> Readers cannot see this event until it is published.");
    page.assert_contains("Unverified rumour about a drone plant");
    let published = app.get_as(&editor, "/events/1").await;
    let published = app.get_as(&editor, published.location().expect("location")).await;
    published.assert_lacks("status-banner");
}

#[tokio::test]
async fn admins_add_accounts_with_checked_input_kept_on_error() {
    let app = app_with_accounts().await;
    let admin = app.sign_in("Ada", ADMIN_PASSWORD).await;
    let add = |name: &'static str, role: &'static str, password: &'static str| {
        let fields = [("name", name), ("role", role), ("password", password)];
        let (app, admin) = (&app, &admin);
        async move { app.post_as(admin, "/admin/users", &fields).await }
    };
    let short = add("Nora", "editor", "short").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    short.assert_contains("A password needs at least 10 characters.");
    short.assert_contains(r#"value="Nora""#);
    let taken = add("EDDIE", "editor", "long enough 123").await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("The name “EDDIE” is already taken.");
    let role = add("Nora", "owner", "long enough 123").await;
    assert_eq!(role.status, StatusCode::UNPROCESSABLE_ENTITY);
    role.assert_contains("“owner” is not a role");

    let added = add("Nora", "editor", "long enough 123").await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    added.assert_contains("Added Nora (editor).");
    let nora = app.sign_in("Nora", "long enough 123").await;
    let page = app.get_as(&nora, "/").await;
    page.assert_contains("Signed in as <strong>Nora</strong> (editor)");
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_its_sign_ins() {
    let app = app_with_accounts().await;
    let admin = app.sign_in("Ada", ADMIN_PASSWORD).await;
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let eddie = app
        .app
        .db
        .user_by_name("Eddie")
        .await
        .expect("query")
        .expect("Eddie");
    let me = app.app.db.user_by_name("Ada").await.expect("query").expect("Ada");

    let own = app
        .post_as(&admin, &format!("/admin/users/{}/disable", me.id), &[])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    own.assert_contains("You cannot disable your own account");

    let done = app
        .post_as(&admin, &format!("/admin/users/{}/disable", eddie.id), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let list = app.get_as(&admin, "/admin/users").await;
    list.assert_contains("disabled since");
    list.assert_contains("Enable<span class=\"visually-hidden\"> Eddie</span>");
    let home = app.get_as(&editor, "/").await;
    home.assert_lacks("Signed in as");
    let again = app.try_sign_in("Eddie", EDITOR_PASSWORD).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    let enabled = app
        .post_as(&admin, &format!("/admin/users/{}/enable", eddie.id), &[])
        .await;
    assert_eq!(enabled.status, StatusCode::SEE_OTHER);
    app.sign_in("Eddie", EDITOR_PASSWORD).await;
}

#[tokio::test]
async fn a_password_reset_ends_the_account_s_sessions() {
    let app = app_with_accounts().await;
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let eddie = app
        .app
        .db
        .user_by_name("Eddie")
        .await
        .expect("query")
        .expect("Eddie");
    let hash = entente::auth::hash_password("a brand new password").expect("hash");
    app.app
        .db
        .set_password_hash(eddie.id, &hash)
        .await
        .expect("reset");
    let page = app.get_as(&editor, "/").await;
    page.assert_lacks("Signed in as");
    assert_eq!(
        app.try_sign_in("Eddie", EDITOR_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.sign_in("Eddie", "a brand new password").await;
}

#[tokio::test]
async fn a_malformed_sign_in_form_is_a_400_page() {
    let app = app_with_accounts().await;
    let visitor = app.visit_login().await;
    let page = app
        .send(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &visitor.cookie)
                .body(Body::from(format!("csrf_token={}&name=a&name=b", visitor.csrf)))
                .expect("request"),
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    page.assert_contains("<html");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_sent_at_once_are_counted_one_after_the_other() {
    use tower::ServiceExt;
    let app = app_with_accounts().await;
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let visitor = app.visit_login().await;
        let body = form_body(&[
            ("csrf_token", &visitor.csrf),
            ("name", "Eddie"),
            ("password", "guess guess guess"),
            ("next", "/"),
        ]);
        let request = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &visitor.cookie)
            .body(Body::from(body))
            .expect("request");
        attempts.spawn(app.app.router.clone().oneshot(request));
    }
    let mut statuses = Vec::new();
    while let Some(done) = attempts.join_next().await {
        statuses.push(done.expect("task").expect("infallible").status());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        (checked, refused),
        (3, 3),
        "only three passwords were checked: {statuses:?}"
    );
}

#[tokio::test]
async fn admins_change_roles_and_set_passwords_but_not_their_own_role() {
    let app = app_with_accounts().await;
    let admin = app.sign_in("Ada", ADMIN_PASSWORD).await;
    let editor = app.sign_in("Eddie", EDITOR_PASSWORD).await;
    let eddie = app
        .app
        .db
        .user_by_name("Eddie")
        .await
        .expect("query")
        .expect("Eddie");
    let me = app.app.db.user_by_name("Ada").await.expect("query").expect("Ada");

    let promoted = app
        .post_as(
            &admin,
            &format!("/admin/users/{}/role", eddie.id),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(promoted.status, StatusCode::SEE_OTHER);
    let page = app.get_as(&editor, "/admin/users").await;
    assert_eq!(page.status, StatusCode::OK, "the new role applies at once");
    let own = app
        .post_as(
            &admin,
            &format!("/admin/users/{}/role", me.id),
            &[("role", "editor")],
        )
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    own.assert_contains("You cannot change your own role");
    let bad = app
        .post_as(
            &admin,
            &format!("/admin/users/{}/role", eddie.id),
            &[("role", "owner")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let short = app
        .post_as(
            &admin,
            &format!("/admin/users/{}/password", eddie.id),
            &[("password", "short")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reset = app
        .post_as(
            &admin,
            &format!("/admin/users/{}/password", eddie.id),
            &[("password", "a fresh password")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    app.get_as(&editor, "/").await.assert_lacks("Signed in as");
    assert_eq!(
        app.try_sign_in("Eddie", EDITOR_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let eddie_again = app.sign_in("Eddie", "a fresh password").await;
    // Now an admin, Eddie may manage others; plain editors still may not.
    app.add_user("Nora", "editor", "nora password 1").await;
    let nora = app.sign_in("Nora", "nora password 1").await;
    let refused = app
        .post_as(
            &nora,
            &format!("/admin/users/{}/role", me.id),
            &[("role", "editor")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let allowed = app
        .post_as(
            &eddie_again,
            &format!("/admin/users/{}/role", me.id),
            &[("role", "editor")],
        )
        .await;
    assert_eq!(allowed.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_admin_forgets_an_accounts_failed_sign_ins() {
    let app = app_with_accounts().await;
    for _ in 0..4 {
        app.try_sign_in("Eddie", "not the password").await;
    }
    let held = app.try_sign_in("Eddie", EDITOR_PASSWORD).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS);
    let ada = app.sign_in("Ada", ADMIN_PASSWORD).await;
    let eddie = app
        .app
        .db
        .user_by_name("Eddie")
        .await
        .expect("query")
        .expect("user");
    let done = app
        .post_as(&ada, &format!("/admin/users/{}/unlock", eddie.id), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = app.get_as(&ada, "/admin/users").await;
    page.assert_contains("failed sign-in(s) for Eddie forgotten");
    let back = app.try_sign_in("Eddie", EDITOR_PASSWORD).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
}
