//! Compatibility with Increase's official Python SDK (pinned in
//! `tests/sdk/requirements.txt`), installed into a virtualenv under `target/`.
//! Needs `python3` with `venv` and `pip` (and PyPI, the first time); without
//! them the check shows as ignored, or fails when `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

use std::{path::PathBuf, process::Command};

use common::{
    spawn_app,
    trial::{run, trial},
};

fn main() -> std::process::ExitCode {
    run(vec![trial(
        "the_official_python_sdk_works_unchanged",
        python_with_sdk,
        the_official_python_sdk_works_unchanged,
    )])
}

/// The virtualenv's Python with the pinned SDK, or why there is none.
fn python_with_sdk() -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target").join("sdk-venv");
    let python = venv.join("bin").join("python");
    let requirements = root.join("tests").join("sdk").join("requirements.txt");
    let marker = venv.join("installed-requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| e.to_string())?;
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return Ok(python);
    }
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .map_err(|e| format!("python3: {e}; install python3 with venv and pip"))?;
    if !status.success() {
        return Err("python3 -m venv failed; install python3-venv".to_owned());
    }
    let status = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("pip install of the SDK failed (is PyPI reachable?)".to_owned());
    }
    std::fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

async fn the_official_python_sdk_works_unchanged(python: PathBuf) {
    let app = spawn_app().await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("sdk")
        .join("compat.py");
    let output = tokio::process::Command::new(python)
        .arg(script)
        .env("INCREASE_BASE_URL", &app.address)
        .env("INCREASE_API_KEY", &app.api_key)
        .env("PROGRAM_ID", &app.program_id)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "SDK checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("sdk: 16 passed, 0 failed"), "{stdout}");
}
