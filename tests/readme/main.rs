//! The README's command blocks, run the way a reader runs them: the real
//! binary started in an empty directory (so with a fresh `onboarding.db`) on
//! a free port, the `export` line its first start printed pasted into a
//! fresh shell, then every block of a section in order with `sh -eu`.
//!
//! Checked: what the first start prints (as shown under "Run it"), the curl
//! and Python quick starts, the operator commands, and the branding
//! section's commands and Python script. Not run: the blocks
//! that build or test the project itself (`cargo install`, `cargo test`) and
//! the PostgreSQL example, which names the reader's own database server.
//! The quick starts need `curl` and `jq`, or Python with the pinned SDK;
//! without them those checks show as ignored (or fail when `CI` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use common::{
    binary::{BIN, RunningServer, onboarding, without_operator_settings},
    python::python_with_sdk,
    trial::{run, trial},
};

fn main() -> std::process::ExitCode {
    run(vec![
        trial(
            "the_first_start_prints_what_the_readme_shows",
            || Ok(()),
            the_first_start_prints_what_the_readme_shows,
        ),
        trial(
            "the_curl_quick_start_runs_as_written",
            || tools(&["curl", "jq"]),
            the_curl_quick_start_runs_as_written,
        ),
        trial(
            "the_python_quick_start_runs_as_written",
            python_with_sdk,
            the_python_quick_start_runs_as_written,
        ),
        trial(
            "the_operator_commands_run_as_written",
            || Ok(()),
            the_operator_commands_run_as_written,
        ),
        trial(
            "the_branding_commands_run_as_written",
            || tools(&["curl", "base64"]),
            the_branding_commands_run_as_written,
        ),
        trial(
            "the_branding_python_script_runs_as_written",
            python_with_sdk,
            the_branding_python_script_runs_as_written,
        ),
    ])
}

async fn the_first_start_prints_what_the_readme_shows(_: ()) {
    let shown = blocks(&readme(), "## Run it", "text");
    assert_eq!(shown.len(), 1, "one block of output under \"Run it\"");
    let dir = tempfile::tempdir().unwrap();
    let server = first_start(dir.path());
    let printed = server.printed.join("\n") + "\n";
    assert_eq!(
        placeholders(&shown[0]),
        placeholders(&printed),
        "the README shows what the first start prints (IDs, keys and ports aside)"
    );
}

async fn the_curl_quick_start_runs_as_written(_: ()) {
    let blocks = blocks(&readme(), "## API quick start with curl", "sh");
    assert!(blocks.len() >= 3, "the quick start's blocks: {blocks:?}");
    let dir = tempfile::tempdir().unwrap();
    let server = first_start(dir.path());
    let script = format!("{}\n{}", export_line(&server), blocks.join("\n"));
    let output = shell(dir.path(), &script, &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the curl quick start failed:\n{script}\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // What the reader sees: the session, then the Entity its submission made.
    assert!(stdout.contains(r#""type":"entity_onboarding_session""#), "{stdout}");
    assert!(stdout.contains(r#""type":"entity""#), "{stdout}");
    assert!(stdout.contains(r#""status":"expired""#), "{stdout}");
}

async fn the_python_quick_start_runs_as_written(python: PathBuf) {
    let blocks = blocks(&readme(), "## API quick start with the official Python SDK", "python");
    assert_eq!(blocks.len(), 1, "one Python block");
    let dir = tempfile::tempdir().unwrap();
    let server = first_start(dir.path());
    std::fs::write(dir.path().join("quickstart.py"), &blocks[0]).unwrap();
    let script = format!("{}\n\"$PYTHON\" quickstart.py\n", export_line(&server));
    let output = shell(dir.path(), &script, &[("PYTHON", python.as_os_str())]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Python quick start failed:\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("/onboarding/sessions?id="), "{stdout}");
    assert!(stdout.contains("entity_"), "{stdout}");
}

async fn the_operator_commands_run_as_written(_: ()) {
    let blocks = blocks(&readme(), "## Operator commands", "sh");
    assert_eq!(blocks.len(), 1, "one block of operator commands");
    let dir = tempfile::tempdir().unwrap();
    // `onboarding` on the PATH, as after `cargo install --path .`.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("onboarding")).unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let output = shell(dir.path(), &blocks[0], &[("PATH", path.as_os_str())]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the operator commands failed:\n{}\n--- stdout\n{stdout}\n--- stderr\n{}",
        blocks[0],
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Acme Cards") && stdout.contains("sandbox"), "{stdout}");
    assert!(dir.path().join("onboarding.db").exists(), "the default database");
}

/// A directory with `onboarding` on the `PATH` (as after `cargo install
/// --path .`) and the program's logo in `logo.png`, as the branding section
/// assumes; the `PATH` to use.
fn branding_dir(dir: &Path) -> std::ffi::OsString {
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("onboarding")).unwrap();
    // A real 1x1 PNG.
    let png = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
        0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd,
        0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    std::fs::write(dir.join("logo.png"), png).unwrap();
    std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap()
}

async fn the_branding_commands_run_as_written(_: ()) {
    let blocks = blocks(&readme(), "## Branding and languages", "sh");
    assert_eq!(blocks.len(), 2, "the branding and the allow-list blocks: {blocks:?}");
    let dir = tempfile::tempdir().unwrap();
    let server = first_start(dir.path());
    let path = branding_dir(dir.path());
    let script = format!("{}\n{}", export_line(&server), blocks.join("\n"));
    let output = shell(dir.path(), &script, &[("PATH", path.as_os_str())]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the branding commands failed:\n{script}\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // What the reader sees: the CLI's table, the API's object, then the allow-lists.
    assert!(
        stdout.contains("Acme Payroll") && stdout.contains("#0a7d5a"),
        "{stdout}"
    );
    assert!(stdout.contains(r##""accent_color":"#1d4ed8""##), "{stdout}");
    assert!(stdout.contains("https://app.platform.example"), "{stdout}");
}

async fn the_branding_python_script_runs_as_written(python: PathBuf) {
    let blocks = blocks(&readme(), "## Branding and languages", "python");
    assert_eq!(blocks.len(), 1, "one Python block");
    let dir = tempfile::tempdir().unwrap();
    let server = first_start(dir.path());
    branding_dir(dir.path());
    std::fs::write(dir.path().join("branding.py"), &blocks[0]).unwrap();
    let script = format!("{}\n\"$PYTHON\" branding.py\n", export_line(&server));
    let output = shell(dir.path(), &script, &[("PYTHON", python.as_os_str())]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the branding script failed:\n--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("/static/logos/") && stdout.contains(".png"), "{stdout}");
    assert!(stdout.contains("/onboarding/sessions?id="), "{stdout}");
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The contents of the fenced blocks of language `lang` in the section
/// that starts with the line `heading` (up to the next `## `).
fn blocks(readme: &str, heading: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_section = false;
    // Inside a fence: Some(contents) when the block is wanted, else None.
    let mut fence: Option<Option<String>> = None;
    for line in readme.lines() {
        match (&mut fence, line.trim_start().strip_prefix("```")) {
            (Some(block), Some(_)) => {
                found.extend(block.take());
                fence = None;
            }
            (Some(Some(block)), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (Some(None), None) => {}
            (None, Some(info)) => {
                let wanted = in_section && info.split_whitespace().next() == Some(lang);
                fence = Some(wanted.then(String::new));
            }
            (None, None) if line.starts_with("## ") => in_section = line == heading,
            (None, None) => {}
        }
    }
    found
}

/// Starts the binary as a reader would, in `dir` with no configuration but
/// a free port.
fn first_start(dir: &Path) -> RunningServer {
    let mut command = onboarding();
    command.current_dir(dir).env("ONBOARDING_LISTEN", "127.0.0.1:0");
    RunningServer::start(command)
}

/// The `export ...` line the first start printed, for the reader to paste.
fn export_line(server: &RunningServer) -> String {
    server
        .printed
        .iter()
        .map(|line| line.trim())
        .find(|line| line.starts_with("export "))
        .unwrap_or_else(|| panic!("the first start prints an export line: {:?}", server.printed))
        .to_owned()
}

/// Runs `script` with `sh -eu` in `dir`, in an environment as bare as a new
/// login's (`PATH` and `HOME`) plus `env`. A script still running after two
/// minutes (say, one that starts a server) is stopped with all it started,
/// and fails with status 124.
fn shell(dir: &Path, script: &str, env: &[(&str, &std::ffi::OsStr)]) -> Output {
    let file = dir.join("readme-block.sh");
    std::fs::write(&file, script).unwrap();
    let mut command = Command::new("timeout");
    without_operator_settings(command.env_clear())
        .envs(std::env::vars_os().filter(|(name, _)| name == "PATH" || name == "HOME"))
        .envs(env.iter().copied())
        .args(["120", "sh", "-eu"])
        .arg(&file)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Checks that each of `names` runs (`NAME --version`), or says which does not.
fn tools(names: &[&str]) -> Result<(), String> {
    for name in names {
        let runs = Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success());
        if !runs {
            return Err(format!("`{name}` is not installed (apt-get install {name})"));
        }
    }
    Ok(())
}

/// `text` with what differs from one start to the next replaced: IDs and
/// keys keep their prefix and length, `127.0.0.1:` loses its port.
fn placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    'text: while let Some(c) = rest.chars().next() {
        for prefix in ["secret_key_", "api_key_", "program_", "127.0.0.1:"] {
            if let Some(after) = rest.strip_prefix(prefix) {
                let len = after.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(after.len());
                out.push_str(prefix);
                if prefix.ends_with(':') {
                    out.push_str("PORT");
                } else {
                    out.push_str(&format!("<{len} characters>"));
                }
                rest = &after[len..];
                continue 'text;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}
