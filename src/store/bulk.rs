//! Many rows in few statements. Each statement is a round trip to SQLite's thread
//! (sqlx runs SQLite on one), which costs more than writing a row: a load of a million
//! events writes about twelve million rows, and one statement per row spent most of its
//! time handing statements over (see docs/performance.md). These helpers write a table's
//! rows a few hundred per `INSERT … VALUES (…), (…), …`, and read many rows as one JSON
//! text ([`json_rows`]): sqlx hands rows over one at a time, each a round trip too.

use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::error::{Error, Result};

/// The rows of `sql`, which selects them all as one JSON array (`json_group_array(…)`),
/// with `list` bound to `?1` when given: one round trip for any number of rows.
pub(super) async fn json_rows<'c, T: serde::de::DeserializeOwned>(
    executor: impl sqlx::Executor<'c, Database = Sqlite>,
    sql: &str,
    list: Option<&str>,
) -> Result<Vec<T>> {
    let mut query = sqlx::query_scalar::<_, Option<String>>(sql);
    if let Some(list) = list {
        query = query.bind(list);
    }
    let text = query.fetch_one(executor).await?;
    serde_json::from_str(text.as_deref().unwrap_or("[]"))
        .map_err(|e| Error::Internal(format!("reading the rows of “{sql}”: {e}")))
}

/// Bound values per statement: well under SQLite's limit (32,766), large enough that
/// the round trips stop counting.
const VALUES_PER_STATEMENT: usize = 8_000;

/// Inserts `rows`: `head` is `INSERT INTO table (column, …)` (or `INSERT OR IGNORE …`),
/// `columns` how many values `bind` pushes per row, `tail` what follows the values (an
/// `ON CONFLICT` clause, or nothing).
pub(super) async fn insert_rows<'r, T>(
    conn: &mut SqliteConnection,
    head: &str,
    tail: &str,
    columns: usize,
    rows: &'r [T],
    bind: impl Fn(&mut Separated<'_, 'r, Sqlite, &'static str>, &'r T),
) -> Result<()> {
    for part in rows.chunks((VALUES_PER_STATEMENT / columns.max(1)).max(1)) {
        let mut sql: QueryBuilder<'r, Sqlite> = QueryBuilder::new(head);
        sql.push(" ");
        sql.push_values(part, |mut values, row| bind(&mut values, row));
        sql.push(" ");
        sql.push(tail);
        sql.build().execute(&mut *conn).await?;
    }
    Ok(())
}
