//! Editors' personal API tokens: made (the token shown once, its hash kept), listed,
//! revoked, and checked on each write request.

use sqlx::FromRow;

use super::Db;
use super::users::User;
use crate::error::{Error, Result};

/// A token as its owner's list shows it (never the token itself).
#[derive(Debug, Clone, FromRow)]
pub struct TokenListing {
    pub id: i64,
    pub user_name: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// Longest token name.
pub const MAX_TOKEN_NAME_CHARS: usize = 80;

const LISTING: &str = "SELECT t.id, u.name AS user_name, t.name, t.created_at, t.last_used_at, t.revoked_at \
     FROM api_tokens t JOIN users u ON u.id = t.user_id";

impl Db {
    /// Makes a token for `user_id` named `name`; returns its id and the token, which is
    /// not kept and cannot be shown again.
    pub async fn create_token(&self, user_id: i64, name: &str) -> Result<(i64, String)> {
        let name = name.trim();
        if let Some(message) =
            crate::domain::text::name_refusal("The token's name", name, MAX_TOKEN_NAME_CHARS)
        {
            return Err(Error::Invalid(message));
        }
        let token = crate::auth::new_api_token()?;
        let mut tx = self.begin_write().await?;
        let id = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash) VALUES (?1, ?2, ?3) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(crate::auth::api_token_hash(&token))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((id, token))
    }

    /// The tokens of one account, or of every account, newest first.
    pub async fn tokens(&self, user_id: Option<i64>) -> Result<Vec<TokenListing>> {
        Ok(sqlx::query_as(&format!(
            "{LISTING} WHERE ?1 IS NULL OR t.user_id = ?1 ORDER BY t.id DESC"
        ))
        .bind(user_id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Revokes token `id` (of `user_id` only, when given); whether a live token was
    /// revoked.
    pub async fn revoke_token(&self, id: i64, user_id: Option<i64>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') \
              WHERE id = ?1 AND (?2 IS NULL OR user_id = ?2) AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(done > 0)
    }

    /// The editor a token belongs to, when the token is live and the account enabled;
    /// notes the token's use.
    pub async fn user_for_token(&self, token: &str) -> Result<Option<User>> {
        let hash = crate::auth::api_token_hash(token);
        let found: Option<(i64, i64)> = sqlx::query_as(
            "SELECT t.id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
              WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(&hash)
        .fetch_optional(&self.read)
        .await?;
        let Some((token_id, user_id)) = found else {
            return Ok(None);
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
        )
        .bind(token_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.user(user_id).await
    }
}
