//! The `entente` binary: parses the command line and runs the chosen command.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use entente::cli::{Cli, Command};

fn main() -> ExitCode {
    keep_the_heap_small();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    runtime.block_on(run())
}

/// Tells glibc's allocator, before any thread starts, to map every buffer of
/// [`MMAP_THRESHOLD`] or more on its own and unmap it when freed. By default the
/// threshold rises to the largest buffer freed so far (up to 32 MB), after which a
/// search's matches, a few megabytes at a million events, are carved from the heap and
/// their space stays with the process. glibc's own `MALLOC_MMAP_THRESHOLD_` variable,
/// when set, wins. Measured in docs/performance.md ("Memory at a million events").
fn keep_the_heap_small() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; it is called before any
        // other thread exists, as glibc asks.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

/// Buffers this large or larger are mapped on their own (see [`keep_the_heap_small`]).
/// Not lower: a rendered page (100-300 KB) is better reused from the heap than mapped
/// and unmapped for every request.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 1024 * 1024;

async fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .with_ansi(std::io::stdout().is_terminal())
        .init();
    let cli = Cli::parse();
    let outcome = match (&cli.command, cli.serve_args()) {
        (Some(Command::Fixture(args)), _) => entente::fixture(args).await,
        (Some(Command::User(args)), _) => entente::user(args).await,
        (Some(Command::Backup(args)), _) => entente::backup(args).await,
        (Some(Command::Import(args)), _) => entente::import(args).await,
        (Some(Command::Export(args)), _) => entente::export(args).await,
        (Some(Command::Token(args)), _) => entente::token(args).await,
        (Some(Command::Sources(args)), _) => entente::sources(args).await,
        (Some(Command::DatasetSchema), _) => {
            println!("{:#}", entente::import::dataset_json_schema());
            Ok(())
        }
        (_, Some(serve)) => entente::serve(&serve.config()).await,
        (_, None) => Ok(()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("entente: {e}");
            ExitCode::FAILURE
        }
    }
}
