//! The real `entente` binary as an operator runs it: configured through the environment,
//! serving the demo data, answering health checks, and stopping cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A plain HTTP/1.0 GET, so the test needs no client library.
fn get(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

#[test]
fn binary_reads_its_settings_from_the_environment_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("nested/dir/entente.sqlite3");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_entente"))
        .env("ENTENTE_BIND", format!("127.0.0.1:{port}"))
        .env("ENTENTE_DATABASE", &database)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("entente starts");

    // The log says when the server listens; read it instead of guessing a delay.
    let stdout = server.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut log = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        log.push(line.clone());
        if line.contains("entente is serving") {
            break;
        }
    }
    assert!(
        log.iter()
            .any(|l| l.contains(&format!("http://127.0.0.1:{port}"))),
        "log: {log:#?}"
    );
    assert!(
        log.iter().any(|l| l.contains("loaded the demo dataset")),
        "log: {log:#?}"
    );
    assert!(
        database.exists(),
        "the database file and its folders were created"
    );

    let health = get(port, "/healthz").unwrap();
    assert!(
        health.starts_with("HTTP/1.0 200") && health.ends_with("ok"),
        "{health}"
    );
    let timeline = get(port, "/").unwrap();
    assert!(timeline.starts_with("HTTP/1.0 200"), "{timeline}");
    assert!(timeline.contains("Timeline"));

    let status = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server.wait().unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        exit.success(),
        "clean exit after SIGTERM, got {exit:?}; log: {rest:#?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("entente stopped")),
        "log: {rest:#?}"
    );
    assert!(
        rest.iter().any(|l| l.contains("uri=/healthz")
            && l.contains("finished processing request")
            && l.contains("status=200")),
        "one request log line at INFO: {rest:#?}"
    );
}

#[test]
fn help_lists_the_options() {
    let output = Command::new(env!("CARGO_BIN_EXE_entente"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "serve",
        "--bind",
        "--database",
        "ENTENTE_BIND",
        "ENTENTE_DATABASE",
    ] {
        assert!(help.contains(needle), "{needle} missing:\n{help}");
    }
}

#[test]
fn a_database_path_that_cannot_be_created_fails_with_a_message_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_entente"))
        .env("ENTENTE_BIND", "127.0.0.1:0")
        .env("ENTENTE_DATABASE", blocker.join("db.sqlite3"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("entente: cannot create"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_in_memory_database_is_refused_with_a_message() {
    for path in [":memory:", "file::memory:?cache=shared"] {
        let output = Command::new(env!("CARGO_BIN_EXE_entente"))
            .env("ENTENTE_BIND", "127.0.0.1:0")
            .env("ENTENTE_DATABASE", path)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{path}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("is not a database file"), "{stderr}");
    }
}

#[test]
fn a_port_in_use_stops_the_server_before_it_creates_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let database = dir.path().join("never.sqlite3");
    let output = Command::new(env!("CARGO_BIN_EXE_entente"))
        .env("ENTENTE_BIND", format!("127.0.0.1:{port}"))
        .env("ENTENTE_DATABASE", &database)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot listen on"), "{stderr}");
    assert!(!database.exists(), "the database file was created anyway");
}

/// Runs `entente user ARGS` on a database, with `stdin` as its standard input.
fn user_command(database: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_entente"))
        .arg("user")
        .args(args)
        .arg("--database")
        .arg(database)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn accounts_are_managed_from_the_shell_with_passwords_read_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("users.sqlite3");
    let text = |output: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };

    let added = user_command(&database, &["add", "ada", "--role", "admin"], "a long password\n");
    assert!(added.status.success(), "{}", text(&added));
    assert!(text(&added).contains("added ada (admin)"), "{}", text(&added));

    let short = user_command(&database, &["add", "bob"], "short\n");
    assert!(!short.status.success());
    assert!(
        text(&short).contains("at least 10 characters"),
        "{}",
        text(&short)
    );
    assert!(!text(&short).contains("panicked"));

    let taken = user_command(&database, &["add", "ADA"], "another long one\n");
    assert!(!taken.status.success());
    assert!(text(&taken).contains("already taken"), "{}", text(&taken));

    let unlocked = user_command(&database, &["unlock", "Ada"], "");
    assert!(unlocked.status.success(), "{}", text(&unlocked));
    assert!(
        text(&unlocked).contains("forgot 0 failed sign-in(s) for Ada"),
        "{}",
        text(&unlocked)
    );
    let invisible = user_command(&database, &["add", "\u{200B}"], "a long password\n");
    assert!(!invisible.status.success());
    assert!(
        text(&invisible).contains("visible character"),
        "{}",
        text(&invisible)
    );

    let disabled = user_command(&database, &["disable", "ada"], "");
    assert!(disabled.status.success(), "{}", text(&disabled));
    let list = user_command(&database, &["list"], "");
    let listed = text(&list);
    assert!(listed.contains("ada\tadmin\tdisabled "), "{listed}");
    assert!(!listed.contains("bob"), "{listed}");

    let reset = user_command(&database, &["reset-password", "ada"], "a new long password\n");
    assert!(reset.status.success(), "{}", text(&reset));
    let missing = user_command(&database, &["reset-password", "nobody"], "a new long password\n");
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("no account named “nobody”"),
        "{}",
        text(&missing)
    );

    // The password never appears on the command line: there is no option for it.
    let help = user_command(&database, &["add", "--help"], "");
    assert!(!text(&help).contains("--password"), "{}", text(&help));
}

#[test]
fn backup_copies_the_database_checks_it_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("live.sqlite3");
    // A database with the demo data, as a first start leaves it.
    let added = user_command(&database, &["add", "ada", "--role", "admin"], "a long password\n");
    assert!(added.status.success());
    let copy = dir.path().join("copy.sqlite3");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_entente"))
            .env("ENTENTE_DATABASE", &database)
            .arg("backup")
            .arg(&copy)
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("integrity check: ok"), "{stdout}");
    assert!(copy.exists());
    let again = run();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}
