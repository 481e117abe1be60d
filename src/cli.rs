//! The command line of the `entente` binary. `serve` is the default; `user`, `backup`,
//! `import`, `export`, `fixture`, `token` and `sources` are the others.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Config;

/// entente: filterable, sourced timelines of defense-cooperation events.
#[derive(Debug, Parser)]
#[command(name = "entente", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, also accepted without the subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve(ServeArgs),
    /// Generate a realistic fixture database for benchmarks.
    Fixture(FixtureArgs),
    /// Manage editors' and admins' accounts.
    User(UserArgs),
    /// Copy the database, consistently, while the server runs, and check the copy.
    Backup(BackupArgs),
    /// Import a dataset file (JSON, docs/dataset-format.md): all of it or nothing.
    Import(ImportArgs),
    /// Write the published collection as a dataset file that `import` reads.
    Export(ExportArgs),
    /// Print the dataset format as a JSON Schema (docs/dataset.schema.json).
    DatasetSchema,
    /// Manage editors' personal API tokens.
    Token(TokenArgs),
    /// Check the recorded sources.
    Sources(SourcesArgs),
}

/// Options of `entente sources`.
#[derive(Debug, Clone, Args)]
pub struct SourcesArgs {
    #[command(subcommand)]
    pub action: SourcesAction,
}

/// What `entente sources` does.
#[derive(Debug, Clone, Subcommand)]
pub enum SourcesAction {
    /// List sources whose address or archived copy is malformed, and sources with an
    /// address but no archived copy. Reads the database only: no network request,
    /// unless `--online` is given.
    Check {
        #[command(flatten)]
        database: DatabaseArg,
        /// Also ask every address and archived copy whether it still answers (HEAD,
        /// then GET; 8 at a time, 15 s each).
        #[arg(long)]
        online: bool,
    },
}

/// Options of `entente token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    #[command(subcommand)]
    pub action: TokenAction,
}

/// What `entente token` does.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenAction {
    /// Make a token for an account and print it (it is shown this once).
    Create {
        /// The account the token writes as.
        user: String,
        /// What the token is for ("import script").
        #[arg(long)]
        name: String,
    },
    /// List tokens (never the tokens themselves), of one account or all.
    List {
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by its id: requests with it are refused from then on.
    Revoke { id: i64 },
}

/// The database a command works on.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArg {
    /// SQLite database file of the server.
    #[arg(
        id = "database",
        long = "database",
        env = "ENTENTE_DATABASE",
        default_value = "entente.sqlite3",
        value_name = "PATH"
    )]
    pub path: PathBuf,
}

/// Options of `entente import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// The dataset file.
    pub file: PathBuf,
    /// Report what would be created or changed, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The account the revisions are recorded under (an editor or admin).
    #[arg(long = "as", value_name = "USER")]
    pub user: Option<String>,
}

/// Options of `entente export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Where to write the dataset; `-` for standard output.
    pub file: PathBuf,
}

/// Options of `entente backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Where to write the copy; it must not exist yet.
    pub path: PathBuf,
}

/// Options of `entente user`.
#[derive(Debug, Clone, Args)]
pub struct UserArgs {
    /// SQLite database file of the server.
    #[arg(
        long,
        env = "ENTENTE_DATABASE",
        default_value = "entente.sqlite3",
        value_name = "PATH",
        global = true
    )]
    pub database: PathBuf,
    #[command(subcommand)]
    pub action: UserAction,
}

/// What `entente user` does. Passwords are read at a prompt (without echo) or, when
/// standard input is not a terminal, from its first line; never from the command line.
#[derive(Debug, Clone, Subcommand)]
pub enum UserAction {
    /// Add an account.
    Add {
        /// The name the person signs in with.
        name: String,
        /// What the account may do.
        #[arg(long, value_parser = ["editor", "admin"], default_value = "editor")]
        role: String,
    },
    /// List every account with its role and state.
    List,
    /// Disable an account and end its sessions; its history stays.
    Disable { name: String },
    /// Re-enable a disabled account.
    Enable { name: String },
    /// Set a new password and end the account's sessions.
    ResetPassword { name: String },
    /// Forget the failed sign-ins for an account name, from every address, so that the
    /// throttle no longer holds it back.
    Unlock { name: String },
}

/// Options of `entente fixture`.
#[derive(Debug, Clone, Args)]
pub struct FixtureArgs {
    /// How many events to generate.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=5_000_000))]
    pub events: u32,
    /// The database file to create; it must not hold events yet.
    #[arg(long, value_name = "PATH")]
    pub database: PathBuf,
    /// Seed of the generator: the same seed gives the same fixture.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Options of `entente serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "ENTENTE_BIND",
        default_value = "127.0.0.1:3000",
        value_name = "ADDR:PORT"
    )]
    pub bind: SocketAddr,
    /// SQLite database file; created, migrated and filled with the demo dataset when new.
    #[arg(
        long,
        env = "ENTENTE_DATABASE",
        default_value = "entente.sqlite3",
        value_name = "PATH"
    )]
    pub database: PathBuf,
    /// Do not load the demo dataset into an empty database.
    #[arg(long, env = "ENTENTE_NO_DEMO")]
    pub no_demo: bool,
    /// Send the session cookie without `Secure`, for a plain-HTTP deployment reached by
    /// another name than localhost. Behind HTTPS (or on localhost) leave it off.
    #[arg(long, env = "ENTENTE_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Addresses of reverse proxies in front of entente, whose `X-Forwarded-For` header
    /// gives the client's address (for the sign-in throttle); comma-separated, or the
    /// option repeated. Without it the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "ENTENTE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "IP"
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address readers reach entente at (`https://entente.example.org`), for the
    /// absolute links in citations. Without it, `http://` and the request's host.
    #[arg(long, env = "ENTENTE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// How long a page waits for its view's count, facets and histogram (milliseconds)
    /// before it answers with its events alone and says the rest fills in on reload.
    #[arg(
        long,
        env = "ENTENTE_FACET_TIME_LIMIT_MS",
        default_value_t = 1000,
        value_name = "MS"
    )]
    pub facet_time_limit_ms: u64,
    /// Memory for the caches of pages, summaries, searches and timeline lines, in MiB
    /// together, shared out in fixed proportions; 0 caches nothing.
    #[arg(
        long,
        env = "ENTENTE_CACHE_MB",
        default_value_t = crate::cache::CacheBudget::DEFAULT_MB,
        value_name = "MB"
    )]
    pub cache_mb: usize,
}

impl ServeArgs {
    pub fn config(&self) -> Config {
        Config {
            bind: self.bind,
            database: self.database.clone(),
            demo_data: !self.no_demo,
            secure_cookies: !self.insecure_cookies,
            trusted_proxies: self.trusted_proxies.clone(),
            public_url: self
                .public_url
                .clone()
                .map(|url| url.trim_end_matches('/').to_owned()),
            facet_time_limit: std::time::Duration::from_millis(self.facet_time_limit_ms),
            cache_budget: crate::cache::CacheBudget::from_mb(self.cache_mb),
        }
    }
}

impl Cli {
    /// The options of `serve`, when that is the command to run.
    pub fn serve_args(&self) -> Option<&ServeArgs> {
        match &self.command {
            Some(Command::Serve(args)) => Some(args),
            None => Some(&self.serve),
            Some(_) => None,
        }
    }
}
