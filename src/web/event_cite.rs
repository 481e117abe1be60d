//! "Cite this event": the version of an event a reader read, as a plain-text citation to
//! copy and as files their reference manager imports (CSL-JSON, BibTeX, RIS): the title,
//! entente, the version and its date, the permalink and the access date.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::event_show::find_visible;
use super::extract::PathParams;
use super::session::Viewer;
use crate::error::Result;
use crate::store::events::EventDetail;

/// What a citation of one version of an event says.
#[derive(Debug, Clone)]
pub struct EventCitation {
    pub id: i64,
    pub title: String,
    pub version: i64,
    /// The version's date, `yyyy-mm-dd`.
    pub version_day: String,
    /// The permalink, absolute.
    pub url: String,
    /// Today, `yyyy-mm-dd`.
    pub accessed: String,
}

/// The name of the work events are cited from.
const CONTAINER: &str = "entente: timelines of defense-cooperation events";

impl EventCitation {
    pub fn new(detail: &EventDetail, origin: &str) -> EventCitation {
        EventCitation {
            id: detail.event.id,
            title: detail.event.title.clone(),
            version: detail.event.version,
            version_day: detail.event.updated_at.get(..10).unwrap_or("").to_owned(),
            url: format!(
                "{origin}{}",
                crate::paths::event(detail.event.id, &detail.event.slug)
            ),
            accessed: crate::dates::today(),
        }
    }

    /// The citation as a person copies it.
    pub fn plain(&self) -> String {
        format!(
            "“{}.” In {CONTAINER}, version {} of {}. {} (accessed {}).",
            self.title.trim_end_matches('.'),
            self.version,
            self.version_day,
            self.url,
            self.accessed
        )
    }

    fn key(&self) -> String {
        format!("entente-event-{}-v{}", self.id, self.version)
    }

    /// CSL-JSON, as Zotero and citeproc read it.
    pub fn csl_json(&self) -> String {
        let parts = |day: &str| -> Vec<i64> { day.split('-').filter_map(|p| p.parse().ok()).collect() };
        serde_json::json!([{
            "id": self.key(),
            "type": "webpage",
            "title": self.title,
            "container-title": CONTAINER,
            "URL": self.url,
            "version": self.version.to_string(),
            "issued": { "date-parts": [parts(&self.version_day)] },
            "accessed": { "date-parts": [parts(&self.accessed)] },
        }])
        .to_string()
    }

    /// BibTeX, with the title's special characters escaped.
    pub fn bibtex(&self) -> String {
        let year = self.version_day.get(..4).unwrap_or("");
        format!(
            "@misc{{{},\n  title = {{{}}},\n  howpublished = {{\\url{{{}}}}},\n  year = {{{year}}},\n  \
             note = {{{}, version {} of {}; accessed {}}}\n}}\n",
            self.key(),
            bibtex_escape(&self.title),
            self.url,
            bibtex_escape(CONTAINER),
            self.version,
            self.version_day,
            self.accessed
        )
    }

    /// RIS, as EndNote, Zotero and Mendeley read it.
    pub fn ris(&self) -> String {
        let slashes = |day: &str| day.replace('-', "/");
        let line = |tag: &str, value: &str| format!("{tag}  - {}\r\n", value.replace(['\r', '\n'], " "));
        [
            line("TY", "ELEC"),
            line("TI", &self.title),
            line("T2", CONTAINER),
            line("UR", &self.url),
            line("DA", &slashes(&self.version_day)),
            line("Y2", &slashes(&self.accessed)),
            line("ET", &format!("version {}", self.version)),
            line("ID", &self.key()),
            "ER  - \r\n".to_owned(),
        ]
        .concat()
    }
}

/// Escapes what BibTeX reads as markup: braces, and the characters TeX treats specially.
fn bibtex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            _ => out.push(c),
        }
    }
    out
}

/// The address readers reach entente at: configured, or `http://` and the request's host.
pub fn origin(state: &AppState, headers: &HeaderMap) -> String {
    match &state.public_url {
        Some(url) => url.to_string(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .filter(|h| {
                    h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
                })
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    }
}

/// The citation files, by their name's ending.
#[derive(Debug, Clone, Copy)]
pub enum CitationFile {
    CslJson,
    Bibtex,
    Ris,
}

async fn download(state: AppState, headers: HeaderMap, id: String, file: CitationFile) -> Result<Response> {
    let detail = find_visible(&state, &Viewer::default(), &id).await?;
    let citation = EventCitation::new(&detail, &origin(&state, &headers));
    let (body, kind, ending) = match file {
        CitationFile::CslJson => (
            citation.csl_json(),
            "application/vnd.citationstyles.csl+json",
            "json",
        ),
        CitationFile::Bibtex => (citation.bibtex(), "application/x-bibtex; charset=utf-8", "bib"),
        CitationFile::Ris => (
            citation.ris(),
            "application/x-research-info-systems; charset=utf-8",
            "ris",
        ),
    };
    let disposition = format!(
        "attachment; filename=\"entente-event-{}.{ending}\"",
        detail.event.id
    );
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).unwrap_or_else(|_| HeaderValue::from_static("attachment")),
        ),
    ];
    Ok((headers, body).into_response())
}

/// `/events/{id}/cite.json`: CSL-JSON.
pub async fn csl_json(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
) -> Result<Response> {
    download(state, headers, id, CitationFile::CslJson).await
}

/// `/events/{id}/cite.bib`: BibTeX.
pub async fn bibtex(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
) -> Result<Response> {
    download(state, headers, id, CitationFile::Bibtex).await
}

/// `/events/{id}/cite.ris`: RIS.
pub async fn ris(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathParams(id): PathParams<String>,
) -> Result<Response> {
    download(state, headers, id, CitationFile::Ris).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn citation() -> EventCitation {
        EventCitation {
            id: 19,
            title: "Iran & Belarus sign {defense} MOU_2023".to_owned(),
            version: 3,
            version_day: "2026-11-30".to_owned(),
            url: "https://entente.example.org/events/19/iran-belarus".to_owned(),
            accessed: "2026-12-01".to_owned(),
        }
    }

    #[test]
    fn every_format_names_the_version_the_address_and_the_access_date() {
        let c = citation();
        assert_eq!(
            c.plain(),
            "“Iran & Belarus sign {defense} MOU_2023.” In entente: timelines of defense-cooperation \
             events, version 3 of 2026-11-30. https://entente.example.org/events/19/iran-belarus \
             (accessed 2026-12-01)."
        );
        let csl: serde_json::Value = serde_json::from_str(&c.csl_json()).expect("json");
        assert_eq!(csl[0]["type"], "webpage");
        assert_eq!(
            csl[0]["issued"]["date-parts"],
            serde_json::json!([[2026, 11, 30]])
        );
        assert_eq!(
            csl[0]["accessed"]["date-parts"],
            serde_json::json!([[2026, 12, 1]])
        );
        let bib = c.bibtex();
        assert!(bib.starts_with("@misc{entente-event-19-v3,"), "{bib}");
        assert!(
            bib.contains("title = {Iran \\& Belarus sign \\{defense\\} MOU\\_2023}"),
            "{bib}"
        );
        let ris = c.ris();
        assert!(ris.starts_with("TY  - ELEC\r\n"), "{ris}");
        assert!(
            ris.contains("DA  - 2026/11/30\r\n") && ris.contains("Y2  - 2026/12/01\r\n"),
            "{ris}"
        );
        assert!(ris.ends_with("ER  - \r\n"));
    }
}
