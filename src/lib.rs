//! entente: filterable, sourced timelines of defense-cooperation events.
//!
//! The binary (`main.rs`) only parses the command line; everything else lives here so
//! that tests build the same application in-process.

/// Roles, password hashing, the login throttle's policy, CSRF tokens.
pub mod auth;
/// Values computed from the database, kept in memory for one generation of the data.
pub mod cache;
/// The command line: `entente serve` and the options it reads from the environment.
pub mod cli;
/// Settings of a running server.
pub mod config;
/// The one date module: EDTF parsing, bounds and human rendering.
pub mod dates;
/// The typed domain: vocabularies, records and their snapshots; no SQL, no HTTP.
pub mod domain;
/// The one error type and how it becomes a page.
pub mod error;
/// Generated fixtures for benchmarks.
pub mod fixture;
/// The dataset interchange format; the demo data loads through it.
pub mod import;
/// Whether sources' addresses still answer (`entente sources check --online`).
pub mod link_check;
/// Markdown to sanitized HTML.
pub mod markdown;
/// Every address the app links or redirects to.
pub mod paths;
/// All SQL.
pub mod store;
/// Pages, routes and middleware.
pub mod web;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
use error::{Error, Result};
use store::Db;

/// A ready application: its router and the database behind it.
pub struct App {
    pub router: Router,
    pub db: Db,
}

/// Opens the database (creating and migrating it when needed), loads the demo dataset
/// into an empty database when asked to, and builds the router.
pub async fn build(config: &Config) -> Result<App> {
    let db = Db::open_with_caches(&config.database, config.cache_budget).await?;
    if config.demo_data && db.event_count().await? == 0 {
        let dataset = import::parse_dataset(import::DEMO_DATASET)?;
        let report = import::load_dataset(&db, &dataset).await?;
        tracing::info!(
            events = report.events,
            actors = report.actors,
            sources = report.sources,
            "loaded the demo dataset"
        );
    }
    // Serves from SQL until the read index is built, then from the index.
    db.start_read_index();
    let sessions = web::session::layer(db.session_store().await?, config.secure_cookies);
    let state = web::AppState::new(db.clone(), db.signing_key().await?, config);
    let router = web::router(state, sessions);
    Ok(App { router, db })
}

/// `entente fixture`: generates a fixture into a new database and reports what it wrote.
pub async fn fixture(args: &cli::FixtureArgs) -> Result<()> {
    let db = Db::open(&args.database).await?;
    let existing = db.event_count().await?;
    if existing > 0 {
        return Err(Error::Invalid(format!(
            "{} already holds {existing} events; give the path of a new database",
            args.database.display()
        )));
    }
    let started = std::time::Instant::now();
    let report = fixture::generate(&db, args.events as usize, args.seed).await?;
    db.optimize().await?;
    db.close().await;
    tracing::info!(
        events = report.events,
        actors = report.actors,
        sources = report.sources,
        seconds = started.elapsed().as_secs(),
        "wrote the fixture to {}",
        args.database.display()
    );
    Ok(())
}

/// `entente backup PATH`: a consistent copy of the database, made while the server may
/// be running and writing, checked before it is reported.
pub async fn backup(args: &cli::BackupArgs) -> Result<()> {
    let db = Db::open(&args.database.path).await?;
    let outcome = db.backup_into(&args.path).await;
    db.close().await;
    let report = outcome?;
    println!(
        "backed up {} events ({} revisions) to {}; integrity check: ok",
        report.events,
        report.revisions,
        args.path.display()
    );
    Ok(())
}

/// `entente import FILE`: a dataset written over the database in one transaction, with
/// a report of every record created, changed or matched (or, with `--dry-run`, of what
/// would be).
pub async fn import(args: &cli::ImportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", args.file.display())))?;
    let csv = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    // The file is read and checked whole before the database is opened.
    let file = if csv {
        Either::Csv(import::parse_csv(&text)?)
    } else {
        Either::Dataset(import::parse_dataset(&text)?)
    };
    let db = Db::open(&args.database.path).await?;
    let outcome = async {
        let user_id = match &args.user {
            Some(name) => {
                let user = find_user(&db, name).await?;
                if user.disabled_at.is_some() {
                    return Err(Error::Invalid(format!("the account “{name}” is disabled")));
                }
                Some(user.id)
            }
            None => None,
        };
        let file_name = args.file.file_name().map_or_else(
            || args.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let options = import::ImportOptions {
            file_name: &file_name,
            user_id,
            dry_run: args.dry_run,
        };
        match &file {
            Either::Csv(batch) => import::import_csv(&db, batch, options).await,
            Either::Dataset(dataset) => import::import_dataset(&db, dataset, options).await,
        }
    }
    .await;
    db.close().await;
    println!("{}", outcome?);
    Ok(())
}

/// What `entente import` reads: a CSV file in the export's columns, or a dataset.
enum Either {
    Csv(import::CsvBatch),
    Dataset(import::Dataset),
}

/// `entente export FILE`: the published collection as a dataset file.
pub async fn export(args: &cli::ExportArgs) -> Result<()> {
    let db = Db::open(&args.database.path).await?;
    let outcome = import::export_dataset(&db).await;
    db.close().await;
    let dataset = outcome?;
    let text = serde_json::to_string_pretty(&dataset).map_err(|e| Error::Internal(e.to_string()))? + "\n";
    if args.file.as_os_str() == "-" {
        print!("{text}");
    } else {
        std::fs::write(&args.file, text)
            .map_err(|e| Error::Invalid(format!("cannot write {}: {e}", args.file.display())))?;
        eprintln!(
            "exported {} actors, {} sources and {} events to {}",
            dataset.actors.len(),
            dataset.sources.len(),
            dataset.events.len(),
            args.file.display()
        );
    }
    Ok(())
}

/// `entente sources check`: one line per source found wanting (`#id`, outlet, title,
/// problems), then a count; the database only, unless `--online` asks every address
/// whether it still answers.
pub async fn sources(args: &cli::SourcesArgs) -> Result<()> {
    let cli::SourcesAction::Check { database, online } = &args.action;
    let db = Db::open(&database.path).await?;
    let outcome = async {
        match args.action {
            cli::SourcesAction::Check { .. } => {
                let sources = db.source_addresses().await?;
                let mut found: Vec<Vec<String>> =
                    sources.iter().map(|(_, s)| domain::source_problems(s)).collect();
                if *online {
                    let checker = link_check::LinkChecker::new()?;
                    let mut asked = tokio::task::JoinSet::new();
                    for (i, (_, source)) in sources.iter().enumerate() {
                        let addresses = [("address", &source.url), ("archived copy", &source.archive_url)];
                        for (what, address) in addresses {
                            // A malformed address is reported as such, not asked.
                            let Some(address) =
                                address.clone().filter(|a| domain::address_problem(a).is_none())
                            else {
                                continue;
                            };
                            let checker = checker.clone();
                            asked.spawn(async move { (i, what, checker.problem(&address).await) });
                        }
                    }
                    while let Some(answer) = asked.join_next().await {
                        if let Ok((i, what, Some(problem))) = answer {
                            found[i].push(format!("{what}: {problem}"));
                        }
                    }
                }
                let mut wanting = 0;
                for ((id, source), problems) in sources.iter().zip(&found) {
                    if !problems.is_empty() {
                        wanting += 1;
                        println!(
                            "#{id}\t{}\t{}\t{}",
                            source.outlet,
                            source.title,
                            problems.join("; ")
                        );
                    }
                }
                eprintln!("{wanting} of {} sources need attention", sources.len());
            }
        }
        Ok(())
    }
    .await;
    db.close().await;
    outcome
}

/// `entente token …`: manages personal API tokens from a shell; prints what it did.
pub async fn token(args: &cli::TokenArgs) -> Result<()> {
    use cli::TokenAction;
    let db = Db::open(&args.database.path).await?;
    let outcome = async {
        match &args.action {
            TokenAction::Create { user, name } => {
                let user = find_user(&db, user).await?;
                let (id, token) = db.create_token(user.id, name).await?;
                eprintln!("token #{id} for {}; it is shown this once:", user.name);
                println!("{token}");
            }
            TokenAction::List { user } => {
                let user_id = match user {
                    Some(name) => Some(find_user(&db, name).await?.id),
                    None => None,
                };
                for t in db.tokens(user_id).await? {
                    let state = match &t.revoked_at {
                        Some(at) => format!("revoked {at}"),
                        None => "active".to_owned(),
                    };
                    let used = t.last_used_at.as_deref().unwrap_or("never used");
                    println!(
                        "#{}\t{}\t{}\t{}\tmade {}\t{used}",
                        t.id, t.user_name, t.name, state, t.created_at
                    );
                }
            }
            TokenAction::Revoke { id } => {
                if !db.revoke_token(*id, None).await? {
                    return Err(Error::Invalid(format!("there is no active token #{id}")));
                }
                println!("revoked token #{id}");
            }
        }
        Ok(())
    }
    .await;
    db.close().await;
    outcome
}

/// `entente user …`: manages accounts from a shell; prints what it did.
pub async fn user(args: &cli::UserArgs) -> Result<()> {
    use cli::UserAction;
    let db = Db::open(&args.database).await?;
    let outcome = match &args.action {
        UserAction::Add { name, role } => {
            let role =
                auth::Role::parse(role).ok_or_else(|| Error::Invalid(format!("“{role}” is not a role")))?;
            let password = read_new_password()?;
            let hash = auth::hash_password(&password)?;
            let user = db.create_user(name, role, &hash).await?;
            println!("added {} ({})", user.name, user.role);
            Ok(())
        }
        UserAction::List => {
            for user in db.users().await? {
                let state = user
                    .disabled_day()
                    .map_or_else(|| "active".to_owned(), |day| format!("disabled {day}"));
                println!(
                    "{}\t{}\t{}\tsince {}",
                    user.name,
                    user.role,
                    state,
                    user.created_day()
                );
            }
            Ok(())
        }
        UserAction::Disable { name } | UserAction::Enable { name } => {
            let disable = matches!(args.action, UserAction::Disable { .. });
            let user = find_user(&db, name).await?;
            db.set_user_disabled(user.id, disable).await?;
            println!("{} {}", if disable { "disabled" } else { "enabled" }, user.name);
            Ok(())
        }
        UserAction::Unlock { name } => {
            let cleared = db.clear_login_failures(&store::fold(name)).await?;
            println!("forgot {cleared} failed sign-in(s) for {name}");
            Ok(())
        }
        UserAction::ResetPassword { name } => {
            let user = find_user(&db, name).await?;
            let password = read_new_password()?;
            db.set_password_hash(user.id, &auth::hash_password(&password)?)
                .await?;
            println!("set a new password for {}; their sessions have ended", user.name);
            Ok(())
        }
    };
    db.close().await;
    outcome
}

async fn find_user(db: &Db, name: &str) -> Result<store::users::User> {
    db.user_by_name(name)
        .await?
        .ok_or_else(|| Error::Invalid(format!("there is no account named “{name}”")))
}

/// A new password: at a terminal, typed twice without echo; otherwise the first line of
/// standard input.
fn read_new_password() -> Result<String> {
    use std::io::{BufRead, IsTerminal};
    let io = |e: std::io::Error| Error::Internal(format!("cannot read the password: {e}"));
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(io)?;
        let again = rpassword::prompt_password("Password again: ").map_err(io)?;
        if first != again {
            return Err(Error::Invalid("the two passwords differ".to_owned()));
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(io)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    auth::check_password_rules(&password)?;
    Ok(password)
}

/// How long a starting server waits for its read index before it answers anyway (pages
/// then come from SQL, their counts within the facet time limit).
const FIRST_INDEX_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves until Ctrl-C or SIGTERM, then stops accepting connections, lets requests in
/// flight finish, and closes the database.
pub async fn serve(config: &Config) -> Result<()> {
    // The address first: a port already in use stops here, before the database file is
    // created, migrated or filled.
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|e| Error::Internal(format!("cannot listen on {}: {e}", config.bind)))?;
    // `build` starts the read index, which then summarises the unfiltered timeline. The
    // first answers wait for both (about a second at 100,000 events, three at a
    // million): connections made meanwhile wait in the listener's backlog, and then get
    // the index's answers rather than SQL's slower ones.
    let app = build(config).await?;
    let started = std::time::Instant::now();
    if !app.db.first_read_index(FIRST_INDEX_WAIT).await {
        tracing::warn!(
            "the read index is not built after {} s: serving meanwhile",
            FIRST_INDEX_WAIT.as_secs()
        );
    }
    let address = listener
        .local_addr()
        .map_err(|e| Error::Internal(e.to_string()))?;
    tracing::debug!(
        waited_ms = started.elapsed().as_millis() as u64,
        "waited for the read index"
    );
    tracing::info!(
        "entente is serving http://{address} from {}",
        config.database.display()
    );
    serve_on(listener, app.router, shutdown_signal()).await?;
    app.db.close().await;
    tracing::info!("entente stopped");
    Ok(())
}

/// Serves a router on a bound listener until `shutdown` completes; used by [`serve`] and
/// by tests that need a real socket (browser tests).
pub async fn serve_on(
    listener: TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    use axum::serve::ListenerExt;
    // Small HTML responses must not wait for Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("cannot set TCP_NODELAY: {e}");
        }
    });
    // The client's address reaches handlers (the login throttle counts by it).
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Internal(format!("server error: {e}")))
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
