//! The `entente` binary: parses the command line and runs the chosen command.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use entente::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
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
