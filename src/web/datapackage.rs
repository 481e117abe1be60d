//! The whole published collection as a Frictionless Data Package, at a stable address
//! a data repository (Zenodo, Dataverse) can take: `/data/datapackage.json` describes
//! one CSV file per table (`/data/events.csv`, `/data/actors.csv`, …) with a Table
//! Schema each (field types, primary and foreign keys). The tables stream like the
//! exports, a page of rows at a time, each table from one snapshot (the tables of one
//! download are read at different moments).
//! Text a spreadsheet would run as a formula starts with `'`, as in the CSV export.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::api::Links;
use super::extract::PathParams;
use super::streamed::{Producer, permit, stream};
use crate::error::{Error, Result};
use crate::store::tables::{Table, TableReader, TableRows};

/// Rows read and written per step.
const ROWS_PER_STEP: i64 = 1000;

/// `/data/datapackage.json`.
pub async fn descriptor(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let links = Links::new(&state, &headers);
    let resources: Vec<Value> = Table::ALL
        .iter()
        .map(|table| {
            let fields: Vec<Value> = table
                .columns()
                .iter()
                .map(|c| {
                    let mut field = json!({"name": c.name, "type": c.kind});
                    if !c.description.is_empty() {
                        field["description"] = json!(c.description);
                    }
                    field
                })
                .collect();
            let foreign_keys: Vec<Value> = table
                .foreign_keys()
                .iter()
                .map(|(field, resource, target)| {
                    json!({"fields": field, "reference": {"resource": resource, "fields": target}})
                })
                .collect();
            json!({
                "name": table.name(),
                "path": format!("{}.csv", table.name()),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": table.description(),
                "schema": {
                    "fields": fields,
                    "primaryKey": table.primary_key(),
                    "foreignKeys": foreign_keys,
                    "missingValues": [""],
                },
            })
        })
        .collect();
    let package = json!({
        "profile": "tabular-data-package",
        "name": "entente",
        "title": "entente: defense-cooperation events with their sources",
        "description": "Every published event with its participants, tags, the sources it cites, \
                        the passages relied on, what each source claims, and the relations between \
                        events. Dates are EDTF as the editors know them, with the first and last day \
                        each can stand for.",
        "homepage": links.to(crate::paths::home()),
        "resources": resources,
    });
    let mut response = axum::Json(package).into_response();
    response
        .headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

/// `/data/{table}.csv`: one table of the package, streamed.
pub async fn table(State(state): State<AppState>, PathParams(file): PathParams<String>) -> Result<Response> {
    let table = file
        .strip_suffix(".csv")
        .and_then(Table::parse)
        .ok_or(Error::NotFound)?;
    let permit = permit()?;
    // The first rows are read before the response starts, so that a failure is an error
    // page, not an empty file.
    let mut reader = state.db.table_reader().await?;
    let first = reader.page(table, 0, ROWS_PER_STEP).await?;
    let body = stream(
        permit,
        TableFile {
            reader,
            table,
            next: Some(first),
            after: 0,
            header: true,
        },
    );
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    Ok(response)
}

/// One table, a page of rows at a time.
struct TableFile {
    /// The table's snapshot.
    reader: TableReader,
    table: Table,
    /// Rows read and not yet written; `None` once the table has ended.
    next: Option<TableRows>,
    after: i64,
    /// Whether the header row is still to be written.
    header: bool,
}

impl Producer for TableFile {
    async fn next(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let rows = match self.next.take() {
            Some(rows) => rows,
            None => return Ok(None),
        };
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::with_capacity(64 * 1024));
        let columns = self.table.columns();
        if self.header {
            writer.write_record(columns.iter().map(|c| c.name))?;
            self.header = false;
        }
        for (_, values) in &rows {
            writer.write_record(values.iter().zip(columns).map(|(value, column)| {
                if column.kind == "string" {
                    super::timeline_export::spreadsheet_safe(value).into_owned()
                } else {
                    value.clone()
                }
            }))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        if let (true, Some((last, _))) = (rows.len() as i64 == ROWS_PER_STEP, rows.last()) {
            self.after = *last;
            let more = self
                .reader
                .page(self.table, self.after, ROWS_PER_STEP)
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            if !more.is_empty() {
                self.next = Some(more);
            }
        }
        Ok(Some(bytes))
    }
}
