//! A form that fails through no fault of what was typed is given back whole. When the
//! editor's session ended meanwhile (signed out in another tab, expired, ended by an
//! admin) the page says so plainly and offers a sign-in that carries the form through:
//! once signed in, one button sends it again. When the database was busy, the page
//! sends it again as it is. Nothing typed is lost to an ended session or a lock.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::session::{self, CSRF_FIELD, Viewer};
use super::{AppState, BODY_LIMIT_BYTES};
use crate::error::{Error, Result};

/// A submitted form, as sent: where it went and its fields (the token left out).
pub struct KeptForm {
    path: String,
    fields: Vec<(String, String)>,
}

/// Fields never shown again or sent back as they were.
const NOT_KEPT: &[&str] = &[CSRF_FIELD, "password"];

/// Keeps a copy of a submitted form (`POST` with `application/x-www-form-urlencoded`),
/// and hands the request on unchanged.
pub async fn keep(request: Request) -> Result<(Request, Option<KeptForm>)> {
    let is_form = request.method() == Method::POST
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((request, None));
    }
    let path = request.uri().path().to_owned();
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, BODY_LIMIT_BYTES)
        .await
        .map_err(|_| Error::BadRequest("The form is larger than entente accepts.".to_owned()))?;
    let fields = form_urlencoded::parse(&bytes)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let request = Request::from_parts(parts, Body::from(bytes));
    Ok((request, Some(KeptForm { path, fields })))
}

impl KeptForm {
    /// Whether this is the sign-out button's form.
    pub fn is_sign_out(&self) -> bool {
        self.path == crate::paths::logout()
    }

    fn value(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    }

    /// The fields to send again.
    fn kept(self) -> Vec<(String, String)> {
        self.fields
            .into_iter()
            .filter(|(key, _)| !NOT_KEPT.contains(&key.as_str()))
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kept_form.html")]
pub struct KeptFormPage {
    heading: &'static str,
    message: String,
    /// Where sending again posts: the form's own address.
    action: String,
    fields: Vec<(String, String)>,
    csrf: String,
    csrf_field: &'static str,
    /// For an editor who was signed out: a sign-in that carries the form through.
    sign_in: Option<SignIn>,
}

/// A kept form carried through a sign-in: where it goes, its fields (urlencoded), and
/// the server's signature of both.
pub struct Resume {
    pub to: String,
    pub body: String,
    pub sig: String,
}

impl Resume {
    /// A new one, signed.
    fn signed(state: &AppState, to: String, body: String) -> Resume {
        let sig = state.signing_key.sign(&Resume::signed_text(&to, &body));
        Resume { to, body, sig }
    }

    /// The one a sign-in form sent back, if the server signed it; a form planted by
    /// anyone else is dropped.
    pub fn verified(state: &AppState, to: &str, body: &str, sig: &str) -> Option<Resume> {
        let genuine = !to.is_empty() && state.signing_key.verify(&Resume::signed_text(to, body), sig);
        genuine.then(|| Resume {
            to: session::local_path(to),
            body: body.to_owned(),
            sig: sig.to_owned(),
        })
    }

    fn signed_text(to: &str, body: &str) -> String {
        format!("resume\n{to}\n{body}")
    }
}

/// The sign-in part of the page, with the form to resume folded into it.
pub struct SignIn {
    pub action: &'static str,
    pub csrf: String,
    pub name: String,
    pub next: String,
    /// Where the kept form goes once signed in, its fields (urlencoded), and the
    /// signature of both.
    pub resume_to: String,
    pub resume_body: String,
    pub resume_sig: String,
}

/// The database was busy: the form again, ready to send as it is.
pub fn busy(state: &AppState, viewer: &Viewer, kept: KeptForm) -> Response {
    let message = "The database was busy with another program's work, so nothing was saved. \
                   Everything you typed is kept: send it again when you are ready."
        .to_owned();
    page_for(state, viewer, kept, StatusCode::SERVICE_UNAVAILABLE, message)
}

/// The form's token no longer matches the session: its editor was signed out meanwhile,
/// or signed in again since the page was loaded.
pub fn token_refused(state: &AppState, viewer: &Viewer, kept: KeptForm) -> Response {
    if kept.path == crate::paths::login_form() && viewer.is_editor() {
        // Signed in meanwhile in another tab: the form this sign-in carried is ready to
        // send with that session; without one, on to where the sign-in was going.
        let resume = Resume::verified(
            state,
            &kept.value("resume_to"),
            &kept.value("resume_body"),
            &kept.value("resume_sig"),
        );
        return match resume {
            Some(kept_form) => self::resume(viewer.csrf.clone(), &kept_form),
            None => axum::response::Redirect::to(&session::local_path(&kept.value("next"))).into_response(),
        };
    }
    let message = if kept.path == crate::paths::login_form() {
        "The sign-in form had expired. Please sign in again.".to_owned()
    } else if viewer.is_editor() {
        "This form was loaded before you last signed in, so nothing was saved. Everything you \
         typed is kept: send it again."
            .to_owned()
    } else {
        "You were signed out (in another tab, or because the session ended), so nothing was \
         saved. Everything you typed is kept: sign in, and it will be ready to send again."
            .to_owned()
    };
    page_for(state, viewer, kept, StatusCode::FORBIDDEN, message)
}

/// After signing in from a kept form: the form, ready to send with the new session.
pub fn resume(csrf: String, resume: &Resume) -> Response {
    let fields = form_urlencoded::parse(resume.body.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .filter(|(key, _)| !NOT_KEPT.contains(&key.as_str()))
        .collect();
    let page = KeptFormPage {
        heading: "Signed in: your form is kept",
        message: "You are signed in again. Send the form to save what you typed.".to_owned(),
        action: session::local_path(&resume.to),
        fields,
        csrf,
        csrf_field: CSRF_FIELD,
        sign_in: None,
    };
    no_store(StatusCode::OK, page.into_response())
}

fn page_for(
    state: &AppState,
    viewer: &Viewer,
    kept: KeptForm,
    status: StatusCode,
    message: String,
) -> Response {
    let signed_in = viewer.is_editor();
    let is_login = kept.path == crate::paths::login_form();
    let mut cookie = None;
    let sign_in = if signed_in {
        None
    } else {
        let (signed, token) = match state.signing_key.double_submit_token(session::unix_now()) {
            Ok(pair) => pair,
            Err(e) => return e.into_response(),
        };
        cookie = Some(session::signin_cookie(state, Some(&signed)));
        // A sign-in form that failed carries its own next page and kept form along (if
        // the server signed it); any other form is kept and signed now.
        let (resume, next) = if is_login {
            let resume = Resume::verified(
                state,
                &kept.value("resume_to"),
                &kept.value("resume_body"),
                &kept.value("resume_sig"),
            );
            (resume, kept.value("next"))
        } else {
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(
                    kept.fields
                        .iter()
                        .filter(|(key, _)| !NOT_KEPT.contains(&key.as_str())),
                )
                .finish();
            let to = session::local_path(&kept.path);
            (Some(Resume::signed(state, to.clone(), body)), to)
        };
        let resume = resume.unwrap_or(Resume {
            to: String::new(),
            body: String::new(),
            sig: String::new(),
        });
        Some(SignIn {
            action: crate::paths::login_form(),
            csrf: token,
            name: if is_login {
                kept.value("name")
            } else {
                String::new()
            },
            next: session::local_path(&next),
            resume_to: resume.to,
            resume_body: resume.body,
            resume_sig: resume.sig,
        })
    };
    let action = session::local_path(&kept.path);
    let page = KeptFormPage {
        heading: if signed_in {
            "Your form is kept"
        } else {
            "Signed out: your form is kept"
        },
        message,
        action,
        // A sign-in form's fields are not shown back: its name is in the form again.
        fields: if is_login { Vec::new() } else { kept.kept() },
        csrf: viewer.csrf.clone(),
        csrf_field: CSRF_FIELD,
        sign_in,
    };
    let mut response = no_store(status, page.into_response());
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

fn no_store(status: StatusCode, mut response: Response) -> Response {
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
