//! Compatibility with Increase's official SDKs, each pinned and installed
//! under `target/`:
//! - Python (`tests/sdk/requirements.txt`) in a virtualenv; needs `python3`
//!   with `venv` and `pip` (and PyPI, the first time);
//! - TypeScript (`tests/sdk/ts/package-lock.json`) with `npm ci`; needs `node`
//!   (18 or later) and `npm` (and the npm registry, the first time). `NODE` and
//!   `NPM` name other binaries than the ones on `PATH`.
//!
//! Without what a check needs it shows as ignored, or fails when `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

use std::{ffi::OsString, path::PathBuf, process::Command, time::Duration};

use common::{
    python::python_with_sdk,
    spawn_app,
    trial::{run, trial},
};

fn main() -> std::process::ExitCode {
    run(vec![
        trial(
            "the_official_python_sdk_works_unchanged",
            python_with_sdk,
            the_official_python_sdk_works_unchanged,
        ),
        trial(
            "the_official_typescript_sdk_works_unchanged",
            node_with_sdk,
            the_official_typescript_sdk_works_unchanged,
        ),
    ])
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

async fn the_official_python_sdk_works_unchanged(python: PathBuf) {
    let app = spawn_app().await;
    let (revealer, _) = app
        .api_key_for(onboarding::domain::api_key::Environment::Production, true)
        .await;
    let script = root().join("tests").join("sdk").join("compat.py");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .env("INCREASE_BASE_URL", &app.address)
        .env("INCREASE_API_KEY", &app.api_key)
        .env("PROGRAM_ID", &app.program_id)
        .env("REVEAL_API_KEY", &revealer)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "SDK checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("sdk: 24 passed, 0 failed"), "{stdout}");
}

/// Node and the directory whose `node_modules` holds the pinned TypeScript SDK.
struct NodeWithSdk {
    node: OsString,
    sdk_dir: PathBuf,
}

/// `$NAME` if set, else `default` (looked up on `PATH`).
fn program(name: &str, default: &str) -> OsString {
    std::env::var_os(name).unwrap_or_else(|| default.into())
}

/// `program --version`, or why it cannot run.
fn version_of(program: &OsString, install: &str) -> Result<String, String> {
    let shown = program.to_string_lossy();
    let output = Command::new(program)
        .arg("--version")
        .output()
        .map_err(|e| format!("{shown}: {e}; {install}"))?;
    if !output.status.success() {
        return Err(format!("`{shown} --version` failed; {install}"));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Node with the pinned SDK installed under `target/ts-sdk` (once per
/// lockfile), or why there is none.
fn node_with_sdk() -> Result<NodeWithSdk, String> {
    const INSTALL: &str = "install Node.js 18+ and npm (apt-get install nodejs npm)";
    let node = program("NODE", "node");
    let version = version_of(&node, INSTALL)?;
    let major: u32 = version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse().ok())
        .ok_or_else(|| format!("node --version said {version:?}"))?;
    if major < 18 {
        return Err(format!("node {version} is too old for the SDK; {INSTALL}"));
    }
    let npm = program("NPM", "npm");
    version_of(&npm, INSTALL)?;

    let pins = root().join("tests").join("sdk").join("ts");
    let sdk_dir = root().join("target").join("ts-sdk");
    let marker = sdk_dir.join("installed-package-lock.json");
    let wanted = std::fs::read_to_string(pins.join("package-lock.json")).map_err(|e| e.to_string())?;
    let installed = sdk_dir.join("node_modules").join("increase").join("package.json");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) && installed.exists() {
        return Ok(NodeWithSdk { node, sdk_dir });
    }
    std::fs::create_dir_all(&sdk_dir).map_err(|e| e.to_string())?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(pins.join(file), sdk_dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    let status = Command::new(&npm)
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(&sdk_dir)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("npm ci of the pinned SDK failed (is the npm registry reachable?)".to_owned());
    }
    std::fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(NodeWithSdk { node, sdk_dir })
}

async fn the_official_typescript_sdk_works_unchanged(NodeWithSdk { node, sdk_dir }: NodeWithSdk) {
    let app = spawn_app().await;
    let (production, _) = app
        .api_key_for(onboarding::domain::api_key::Environment::Production, false)
        .await;
    let script = root().join("tests").join("sdk").join("compat.mjs");
    let run = tokio::process::Command::new(node)
        .arg(&script)
        .env("INCREASE_BASE_URL", &app.address)
        .env("INCREASE_API_KEY", &app.api_key)
        .env("PRODUCTION_API_KEY", &production)
        .env("PROGRAM_ID", &app.program_id)
        .env("INCREASE_SDK_DIR", &sdk_dir)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the TypeScript SDK checks finish within 5 minutes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "TypeScript SDK checks failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("ts-sdk: 10 passed, 0 failed"), "{stdout}");
}
