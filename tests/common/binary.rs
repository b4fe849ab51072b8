//! The real `onboarding` binary, run the way an operator (or a reader of the
//! README) runs it.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

pub const BIN: &str = env!("CARGO_BIN_EXE_onboarding");

/// A command for the binary that ignores the settings of the environment the
/// tests run in.
pub fn onboarding() -> Command {
    let mut command = Command::new(BIN);
    without_operator_settings(&mut command);
    command
}

/// Removes from `command`'s environment what would configure the binary
/// (`DATABASE_URL`, `ONBOARDING_*`, `RUST_LOG`), as on a fresh machine.
pub fn without_operator_settings(command: &mut Command) -> &mut Command {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name == "DATABASE_URL" || name == "RUST_LOG" || name.starts_with("ONBOARDING_") {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// A server on a free port of 127.0.0.1 with database `db`, with `env` set
/// besides.
pub fn serve(db: &str, env: &[(&str, &str)]) -> RunningServer {
    let mut command = onboarding();
    command
        .env("DATABASE_URL", db)
        .env("ONBOARDING_LISTEN", "127.0.0.1:0")
        .envs(env.iter().copied());
    RunningServer::start(command)
}

/// A server process, killed when dropped (even when the test panics).
pub struct RunningServer {
    child: Child,
    /// What it printed on stdout up to and including the line that says
    /// where it listens.
    pub printed: Vec<String>,
    /// Where it listens, without a trailing `/`.
    pub base_url: String,
    stderr: tempfile::NamedTempFile,
}

const LISTENING: &str = "Hosted Onboarding is listening on ";

impl RunningServer {
    /// Starts `command` and waits until it says where it listens; panics
    /// with what it printed if it stops before that.
    pub fn start(mut command: Command) -> Self {
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().unwrap())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.wait();
                panic!(
                    "the server stopped before listening; stdout: {printed:?}\nstderr: {}",
                    std::fs::read_to_string(stderr.path()).unwrap_or_default()
                );
            };
            printed.push(line.clone());
            if let Some(url) = line.strip_prefix(LISTENING) {
                let base_url = url.trim().trim_end_matches('/').to_owned();
                return Self {
                    child,
                    printed,
                    base_url,
                    stderr,
                };
            }
        }
    }

    /// The value of the first printed line that starts with `label`
    /// (leading spaces ignored), e.g. `API key:`.
    pub fn printed_value(&self, label: &str) -> Option<String> {
        self.printed
            .iter()
            .find_map(|line| line.trim().strip_prefix(label).map(|value| value.trim().to_owned()))
    }

    /// The server's process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server as an operator would (SIGTERM, and a wait for it to
    /// end, as long as its graceful shutdown may take) and returns what it
    /// wrote to stderr: every line it logged, the gathered ones included.
    pub fn stop(mut self) -> String {
        let asked = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|status| status.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(40);
        let ended = asked
            && loop {
                match self.child.try_wait() {
                    Ok(Some(_)) => break true,
                    Ok(None) if std::time::Instant::now() < deadline => {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    _ => break false,
                }
            };
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = std::fs::read_to_string(self.stderr.path()).unwrap_or_default();
        assert!(ended, "the server did not stop on SIGTERM:\n{log}");
        log
    }

    /// Kills the server (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
