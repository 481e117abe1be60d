//! Stylesheet, scripts and icons, compiled into the binary so that the server needs no
//! files beside it and loads nothing from elsewhere. Pages link each asset with a
//! fingerprint of its content (`/static/style.css?v=…`), so browsers may cache it for a
//! year and still see a new version the moment it changes.

use std::sync::LazyLock;

use super::extract::{PathParams, QueryParams};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::Error;

/// One file served under `/static/`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/style.css"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/app.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../../static/favicon.svg"),
    },
];

/// Content fingerprints, computed once: FNV-1a over each file, as hex.
static FINGERPRINTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|asset| format!("{:016x}", fnv1a(asset.body)))
        .collect()
});

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn find(name: &str) -> Option<(usize, &'static Asset)> {
    FILES.iter().enumerate().find(|(_, asset)| asset.name == name)
}

/// The fingerprinted URL of an asset, for templates: `{{ crate::web::assets::url("style.css") }}`.
pub fn url(name: &str) -> String {
    match find(name) {
        Some((index, asset)) => format!("/static/{}?v={}", asset.name, FINGERPRINTS[index]),
        None => format!("/static/{name}"),
    }
}

#[derive(Deserialize)]
pub struct AssetQuery {
    v: Option<String>,
}

/// Serves an asset with an ETag; a request carrying the current fingerprint may be cached
/// for a year, any other for five minutes.
pub async fn serve(
    PathParams(file): PathParams<String>,
    QueryParams(query): QueryParams<AssetQuery>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let (index, asset) = find(&file).ok_or(Error::NotFound)?;
    let fingerprint = &FINGERPRINTS[index];
    let etag = format!("\"{fingerprint}\"");
    let cache = if query.v.as_deref() == Some(fingerprint.as_str()) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|value| value.as_bytes() == etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, asset.content_type)], asset.body).into_response()
    };
    let response_headers = response.headers_mut();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    Ok(response)
}
