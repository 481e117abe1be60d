//! Settings of a running entente, read from the command line or the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

/// What `entente serve` needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address and port to listen on.
    pub bind: SocketAddr,
    /// SQLite database file; created with its migrations when missing.
    pub database: PathBuf,
    /// Load the demo dataset when the database holds no events.
    pub demo_data: bool,
    /// Mark the session cookie `Secure` (sent over HTTPS only; browsers also accept it
    /// from `localhost`). Off only for a plain-HTTP deployment on another host.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` header names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address readers reach entente at (`https://entente.example.org`), for the
    /// absolute links of citations; without it, `http://` and the request's `Host`.
    pub public_url: Option<String>,
    /// How long a page waits for its view's count, facets and histogram before it
    /// answers without them (saying so); they fill in on reload.
    pub facet_time_limit: std::time::Duration,
    /// The bytes the server's caches may hold together.
    pub cache_budget: crate::cache::CacheBudget,
}

impl Config {
    /// A configuration for tests: a database at `database`, demo data loaded.
    pub fn for_database(database: impl Into<PathBuf>) -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: database.into(),
            demo_data: true,
            secure_cookies: true,
            trusted_proxies: Vec::new(),
            public_url: None,
            // Generous: a test's pages are counted in milliseconds, unless the machine
            // is busy with other tests; a test of the limit sets its own.
            facet_time_limit: std::time::Duration::from_secs(30),
            cache_budget: crate::cache::CacheBudget::default(),
        }
    }
}
