//! Whether sources' addresses and archived copies still answer: the online part of
//! `entente sources check --online`. These are the only requests entente itself sends,
//! and only when an operator asks for them.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// How long an address may take to answer.
const TIMEOUT: Duration = Duration::from_secs(15);
/// Addresses asked at once: enough to go through thousands of sources, few enough not
/// to hammer one site.
const AT_ONCE: usize = 8;

/// Asks addresses whether they still answer.
#[derive(Clone)]
pub struct LinkChecker {
    client: reqwest::Client,
    permits: Arc<Semaphore>,
}

impl LinkChecker {
    pub fn new() -> Result<LinkChecker> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("entente/", env!("CARGO_PKG_VERSION"), " (sources check)"))
            .build()
            .map_err(|e| Error::Internal(format!("cannot make the HTTP client: {e}")))?;
        Ok(LinkChecker {
            client,
            permits: Arc::new(Semaphore::new(AT_ONCE)),
        })
    }

    /// What is wrong with `address` now, if anything: it answers with an error status,
    /// or not at all. An error to HEAD is asked again with GET, since many sites answer
    /// HEAD wrongly (405, 403, even 404) while serving the page.
    pub async fn problem(&self, address: &str) -> Option<String> {
        let _permit = self.permits.acquire().await.ok()?;
        let mut answer = self.client.head(address).send().await;
        if let Ok(response) = &answer
            && !response.status().is_success()
        {
            answer = self.client.get(address).send().await;
        }
        match answer {
            Ok(response) if response.status().is_success() => None,
            Ok(response) => Some(format!("answers {}", response.status())),
            Err(e) if e.is_timeout() => Some(format!("no answer within {} s", TIMEOUT.as_secs())),
            Err(e) if e.is_redirect() => Some("redirects too often".to_owned()),
            Err(_) => Some("cannot be reached".to_owned()),
        }
    }
}
