//! What sources claim about events: each claim's rank and reason, and its value as a
//! structured quantity when it is one. Every read and write of the `claims` table's
//! columns goes through here.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::dates::EventDate;
use crate::domain::{Bound, Claim, Quantity, Rank};
use crate::error::{Error, Result};

/// A claim's row as stored: citation, topic, value, attribution, rank, reason, and the
/// quantity's bound, figures, unit and as-of date.
type ClaimRow = (
    i64,
    String,
    String,
    Option<String>,
    Rank,
    String,
    Option<Bound>,
    Option<f64>,
    Option<f64>,
    Option<String>,
    Option<String>,
);

/// The columns of a [`ClaimRow`], after the citation's id, for `SELECT`s.
pub(super) const CLAIM_COLUMNS: &str = "cl.topic, cl.value, cl.attributed_to, cl.rank, cl.rank_reason, \
     cl.quantity_bound, cl.quantity_low, cl.quantity_high, cl.quantity_unit, cl.quantity_as_of";

/// The claims of every citation of an event, by citation, each list in order.
pub(super) async fn by_citation(
    conn: &mut SqliteConnection,
    event_id: i64,
) -> Result<HashMap<i64, Vec<Claim>>> {
    let rows = sqlx::query_as::<_, ClaimRow>(&format!(
        "SELECT cl.citation_id, {CLAIM_COLUMNS} FROM claims cl \
           JOIN citations c ON c.id = cl.citation_id WHERE c.event_id = ?1 \
          ORDER BY cl.citation_id, cl.position, cl.id"
    ))
    .bind(event_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut claims: HashMap<i64, Vec<Claim>> = HashMap::new();
    for row in rows {
        let citation_id = row.0;
        claims.entry(citation_id).or_default().push(claim_of(row)?);
    }
    Ok(claims)
}

/// A claim from its stored row: the stored quantity is the value's structure.
fn claim_of(row: ClaimRow) -> Result<Claim> {
    let (_, topic, value, attributed_to, rank, rank_reason, bound, low, high, unit, as_of) = row;
    let quantity = match (bound, low) {
        (Some(bound), Some(low)) => Some(Quantity {
            bound,
            low,
            high,
            unit: unit.unwrap_or_default(),
            as_of: as_of
                .as_deref()
                .map(|d| super::stored_date(d, "a claim's as-of date"))
                .transpose()?,
        }),
        _ => None,
    };
    Ok(Claim {
        topic,
        value,
        quantity,
        attributed_to,
        rank,
        rank_reason,
    })
}

/// Writes a citation's claims, in order.
pub(super) async fn insert(conn: &mut SqliteConnection, citation_id: i64, claims: &[Claim]) -> Result<()> {
    let rows: Vec<(i64, i64, Claim)> = (0..)
        .zip(claims)
        .map(|(position, claim)| (citation_id, position, claim.clone()))
        .collect();
    insert_many(conn, &rows).await
}

/// Writes the claims of many citations: (citation id, position, claim).
pub(super) async fn insert_many(conn: &mut SqliteConnection, claims: &[(i64, i64, Claim)]) -> Result<()> {
    super::bulk::insert_rows(
        conn,
        "INSERT INTO claims (citation_id, topic, value, attributed_to, position, rank, rank_reason, \
                             quantity_bound, quantity_low, quantity_high, quantity_unit, quantity_as_of)",
        "",
        12,
        claims,
        |values, (citation, position, claim)| {
            let quantity = claim.quantity.as_ref();
            values
                .push_bind(*citation)
                .push_bind(claim.topic.trim())
                .push_bind(claim.value.trim())
                .push_bind(claim.attributed_to.as_deref())
                .push_bind(*position)
                .push_bind(claim.rank)
                .push_bind(claim.rank_reason.trim())
                .push_bind(quantity.map(|q| q.bound))
                .push_bind(quantity.map(|q| q.low))
                .push_bind(quantity.and_then(|q| q.high))
                .push_bind(quantity.map(|q| q.unit.as_str()))
                .push_bind(quantity.and_then(|q| q.as_of.as_ref()).map(EventDate::edtf));
        },
    )
    .await
}

/// Once, after the migration that gave claims their quantity columns: reads every
/// stored value that is a figure as a quantity and stores it structured, with the
/// value's rendering. Returns how many claims became quantities.
pub(super) async fn read_stored_quantities(pool: &sqlx::SqlitePool) -> Result<u64> {
    let pending: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'claims_to_read'")
            .fetch_optional(pool)
            .await?;
    if pending.is_none() {
        return Ok(0);
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let rows =
        sqlx::query_as::<_, (i64, String)>("SELECT id, value FROM claims WHERE quantity_bound IS NULL")
            .fetch_all(&mut *tx)
            .await?;
    let mut read = 0;
    for (id, value) in rows {
        let Some(quantity) = Quantity::parse(&value) else {
            continue;
        };
        sqlx::query(
            "UPDATE claims SET value = ?2, quantity_bound = ?3, quantity_low = ?4, quantity_high = ?5, \
                    quantity_unit = ?6, quantity_as_of = ?7 WHERE id = ?1",
        )
        .bind(id)
        .bind(quantity.display())
        .bind(quantity.bound)
        .bind(quantity.low)
        .bind(quantity.high)
        .bind(&quantity.unit)
        .bind(quantity.as_of.as_ref().map(EventDate::edtf))
        .execute(&mut *tx)
        .await?;
        read += 1;
    }
    sqlx::query("DELETE FROM settings WHERE key = 'claims_to_read'")
        .execute(&mut *tx)
        .await?;
    tx.commit()
        .await
        .map_err(|e| Error::Internal(format!("cannot store the claims' quantities: {e}")))?;
    Ok(read)
}
