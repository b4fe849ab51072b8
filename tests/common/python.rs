//! Python with Increase's official SDK (pinned in `tests/sdk/requirements.txt`),
//! installed into a virtualenv under `target/` the first time it is needed.

use std::{path::PathBuf, process::Command, sync::Mutex};

/// Held while the virtualenv is checked or made: tests run in parallel, and
/// two `pip install`s into one fresh virtualenv at once fail (each compiles
/// files the other is still writing).
static INSTALLING: Mutex<()> = Mutex::new(());

/// The virtualenv's Python with the pinned SDK, or why there is none (no
/// `python3` with `venv` and `pip`, or no PyPI the first time).
pub fn python_with_sdk() -> Result<PathBuf, String> {
    // A test that panicked while holding it left nothing half-made that the
    // marker would vouch for.
    let _installing = INSTALLING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
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
