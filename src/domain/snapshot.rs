//! A revision's snapshot is the serde form of a record ([`super::records`]) with the
//! number of the schema it was written in. Reading one brings older schemas up to today's
//! before deserializing, so a snapshot written years ago still loads after the record
//! gains fields.
//!
//! Schemas:
//! - 0: the shape revisions had before snapshots carried a number (built in SQL); the
//!   same keys as schema 1, without `schema`.
//! - 1: today's records.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::records::{Actor, Event, Outlet, Source};
use super::vocabulary::Entity;

/// The schema new snapshots are written in.
pub const SCHEMA: u64 = 1;

/// The key that holds the schema number.
const SCHEMA_KEY: &str = "schema";

/// A record that revisions keep.
pub trait Snapshot: Serialize + DeserializeOwned {
    /// Which history it belongs to.
    const ENTITY: Entity;
}

impl Snapshot for Event {
    const ENTITY: Entity = Entity::Event;
}

impl Snapshot for Actor {
    const ENTITY: Entity = Entity::Actor;
}

impl Snapshot for Source {
    const ENTITY: Entity = Entity::Source;
}

impl Snapshot for Outlet {
    const ENTITY: Entity = Entity::Outlet;
}

/// Why a stored snapshot could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("the snapshot is not a JSON object")]
    NotAnObject,
    #[error("the snapshot has schema {0}, newer than this program's {SCHEMA}")]
    Newer(u64),
    #[error("the snapshot does not fit the record: {0}")]
    Shape(#[from] serde_json::Error),
}

/// The snapshot text of a record, in today's schema.
pub fn encode<T: Snapshot>(record: &T) -> Result<String, SnapshotError> {
    let mut value = serde_json::to_value(record)?;
    let Value::Object(map) = &mut value else {
        return Err(SnapshotError::NotAnObject);
    };
    map.insert(SCHEMA_KEY.to_owned(), Value::from(SCHEMA));
    Ok(value.to_string())
}

/// A record from a snapshot of any schema up to today's.
pub fn decode<T: Snapshot>(text: &str) -> Result<T, SnapshotError> {
    let value: Value = serde_json::from_str(text)?;
    let Value::Object(mut map) = value else {
        return Err(SnapshotError::NotAnObject);
    };
    let schema = map.remove(SCHEMA_KEY).and_then(|s| s.as_u64()).unwrap_or(0);
    if schema > SCHEMA {
        return Err(SnapshotError::Newer(schema));
    }
    upgrade(T::ENTITY, schema, &mut map);
    Ok(serde_json::from_value(Value::Object(map))?)
}

/// Brings a snapshot's keys from `schema` to today's, one schema at a time. Each later
/// schema adds its step here.
fn upgrade(entity: Entity, schema: u64, map: &mut Map<String, Value>) {
    if schema == 0 {
        // Schema 0 was assembled in SQL: a list could arrive as null or as JSON text.
        let lists: &[&str] = match entity {
            Entity::Event => &["tags", "actors", "citations", "relations"],
            Entity::Actor => &["aliases"],
            Entity::Source | Entity::Outlet => &[],
        };
        for key in lists {
            normalize_list(map, key);
        }
        if let Some(Value::Array(citations)) = map.get_mut("citations") {
            for citation in citations.iter_mut().filter_map(Value::as_object_mut) {
                normalize_list(citation, "claims");
            }
        }
    }
}

/// Makes `map[key]` a JSON array: null or missing becomes empty, JSON text is read.
fn normalize_list(map: &mut Map<String, Value>, key: &str) {
    let list = match map.remove(key) {
        Some(Value::String(text)) => serde_json::from_str(&text).unwrap_or_default(),
        Some(Value::Null) | None => Value::Array(Vec::new()),
        Some(other) => other,
    };
    let list = if list.is_array() {
        list
    } else {
        Value::Array(Vec::new())
    };
    map.insert(key.to_owned(), list);
}
