//! Accounts of editors and admins, and the record of failed sign-ins that the login
//! throttle reads. Password hashing and the throttle's policy live in `crate::auth`;
//! this module only stores what they decide.

use super::Db;
use crate::auth::FailureCounts;
use crate::domain::{Role, text};
use crate::error::{Error, OnConstraint, Result};

/// Longest account name accepted.
pub const MAX_ACCOUNT_NAME_CHARS: usize = 64;

/// An account as the application sees it; the password hash stays in the store.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub session_epoch: i64,
    pub disabled_at: Option<String>,
    pub created_at: String,
}

impl User {
    /// The account's role.
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }

    /// The day the account was created (`yyyy-mm-dd`).
    pub fn created_day(&self) -> &str {
        self.created_at.get(..10).unwrap_or(&self.created_at)
    }

    /// The day the account was disabled, if it is.
    pub fn disabled_day(&self) -> Option<&str> {
        self.disabled_at.as_deref().map(|at| at.get(..10).unwrap_or(at))
    }
}

const USER_COLUMNS: &str = "id, name, role, session_epoch, disabled_at, created_at";

impl Db {
    /// Creates an account; a name already taken (in any capitalization) is refused.
    pub async fn create_user(&self, name: &str, role: Role, password_hash: &str) -> Result<User> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("An account needs a name.".to_owned()));
        }
        if let Some(message) = text::name_refusal("the account name", name, MAX_ACCOUNT_NAME_CHARS) {
            return Err(Error::Invalid(message));
        }
        // Checked again by the table: two admins adding one name at once get one account
        // and one clear refusal.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (name, role, password_hash) VALUES (?1, ?2, ?3) RETURNING id",
        )
        .bind(name)
        .bind(role)
        .bind(password_hash)
        .fetch_one(&self.write)
        .await
        .map_err(Error::from)
        .on_unique("users.name", || format!("The name “{name}” is already taken."))?;
        self.user(id).await?.ok_or(Error::NotFound)
    }

    /// Every account, by name.
    pub async fn users(&self) -> Result<Vec<User>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY name COLLATE NOCASE"
        ))
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        Ok(
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))
                .bind(id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// The account of that name, in any capitalization.
    pub async fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        Ok(
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"))
                .bind(name.trim())
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// The account and its password hash, for checking a sign-in.
    pub async fn credentials(&self, name: &str) -> Result<Option<(User, String)>> {
        let Some(user) = self.user_by_name(name).await? else {
            return Ok(None);
        };
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?1")
            .bind(user.id)
            .fetch_one(&self.read)
            .await?;
        Ok(Some((user, hash)))
    }

    /// Replaces the password hash and ends every session of the account.
    pub async fn set_password_hash(&self, id: i64, password_hash: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET password_hash = ?2, session_epoch = session_epoch + 1, \
                    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
        )
        .bind(id)
        .bind(password_hash)
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Gives an account another role; it applies from the account's next request.
    pub async fn set_user_role(&self, id: i64, role: Role) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET role = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
        )
        .bind(id)
        .bind(role.as_str())
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Disables (ending its sessions) or re-enables an account.
    pub async fn set_user_disabled(&self, id: i64, disabled: bool) -> Result<()> {
        let sql = if disabled {
            "UPDATE users SET disabled_at = coalesce(disabled_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), \
                    session_epoch = session_epoch + 1, \
                    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1"
        } else {
            "UPDATE users SET disabled_at = NULL, \
                    updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1"
        };
        let done = sqlx::query(sql).bind(id).execute(&self.write).await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Starts a sign-in attempt: counts the failures since `forget_before` and, if
    /// `allow` accepts those counts, records the attempt as a failure until it succeeds
    /// (so that attempts running at the same time count each other). Returns the counts
    /// and whether the attempt may go on. One transaction on the one write connection:
    /// attempts are counted one after the other.
    pub async fn begin_login_attempt(
        &self,
        account: &str,
        address: &str,
        now: i64,
        forget_before: i64,
        allow: impl FnOnce(FailureCounts) -> bool,
    ) -> Result<(FailureCounts, bool)> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < ?1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        let (pair, pair_last): (i64, Option<i64>) = sqlx::query_as(
            "SELECT count(*), max(at) FROM login_failures WHERE account = ?1 AND address = ?2",
        )
        .bind(account)
        .bind(address)
        .fetch_one(&mut *tx)
        .await?;
        let (account_count, account_last): (i64, Option<i64>) =
            sqlx::query_as("SELECT count(*), max(at) FROM login_failures WHERE account = ?1")
                .bind(account)
                .fetch_one(&mut *tx)
                .await?;
        let (address_count, address_last): (i64, Option<i64>) =
            sqlx::query_as("SELECT count(*), max(at) FROM login_failures WHERE address = ?1")
                .bind(address)
                .fetch_one(&mut *tx)
                .await?;
        let known_address: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM login_successes WHERE account = ?1 AND address = ?2)",
        )
        .bind(account)
        .bind(address)
        .fetch_one(&mut *tx)
        .await?;
        let counts = FailureCounts {
            pair,
            pair_last,
            account: account_count,
            account_last,
            address: address_count,
            address_last,
            known_address,
        };
        let allowed = allow(counts);
        if allowed {
            sqlx::query("INSERT INTO login_failures (account, address, at) VALUES (?1, ?2, ?3)")
                .bind(account)
                .bind(address)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok((counts, allowed))
    }

    /// Records a failed sign-in and forgets those older than `forget_before`.
    pub async fn record_login_failure(
        &self,
        account: &str,
        address: &str,
        at: i64,
        forget_before: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE at < ?1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO login_failures (account, address, at) VALUES (?1, ?2, ?3)")
            .bind(account)
            .bind(address)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// After a sign-in succeeds: forgets the failures of the account from this address
    /// (the attempt that succeeded included) and remembers the address as known.
    pub async fn record_login_success(&self, account: &str, address: &str, at: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE account = ?1 AND address = ?2")
            .bind(account)
            .bind(address)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO login_successes (account, address, at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (account, address) DO UPDATE SET at = excluded.at",
        )
        .bind(account)
        .bind(address)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets every failed sign-in of an account name, from any address (an admin's
    /// `unlock`); returns how many there were.
    pub async fn clear_login_failures(&self, account: &str) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM login_failures WHERE account = ?1")
            .bind(account)
            .execute(&self.write)
            .await?
            .rows_affected())
    }
}
