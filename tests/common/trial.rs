//! Trials for the `harness = false` test binaries: a test that needs something
//! from the machine shows as *ignored*, with the reason, when that thing is
//! missing, and fails instead when `CI` is set. It never passes without running.

use std::future::Future;

use libtest_mimic::{Completion, Failed, Trial};

/// A test named `name` that first asks `prerequisite` for what it needs (or
/// why that is missing), then runs `test` with it on its own tokio runtime.
pub fn trial<T, P, F, Fut>(name: &str, prerequisite: P, test: F) -> Trial
where
    P: FnOnce() -> Result<T, String> + Send + 'static,
    F: FnOnce(T) -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    Trial::ignorable_test(name, move || {
        let needs = match prerequisite() {
            Ok(needs) => needs,
            Err(missing) if std::env::var_os("CI").is_some() => {
                return Err(format!("must run in CI, but {missing}").into());
            }
            Err(missing) => return Ok(Completion::ignored_with(missing)),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failed::from(format!("tokio runtime: {e}")))?;
        // A panic here fails the trial; libtest-mimic catches it.
        runtime.block_on(test(needs));
        Ok(Completion::Completed)
    })
}

/// Runs `trials` with the command line's filters (`cargo test -- NAME`,
/// `--exact`, `--skip`, `--list`, `--test-threads`).
pub fn run(trials: Vec<Trial>) -> std::process::ExitCode {
    libtest_mimic::run(&libtest_mimic::Arguments::from_args(), trials).exit_code()
}
