//! Compatibility with Increase's official Python SDK (pinned in
//! `tests/sdk/requirements.txt`), installed into a virtualenv under `target/`.
//! Needs `python3` with `venv` and `pip` (and PyPI, the first time); without
//! them the check shows as ignored, or fails when `CI` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;

use common::{
    python::python_with_sdk,
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
