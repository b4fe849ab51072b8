//! PostgreSQL only: several service processes on one database, and surviving a
//! lost database. Needs `TEST_DATABASE_URL=postgres://...` (a server where the
//! tests may create databases); without it the tests show as ignored, or fail
//! when `CI` is set. The restart test also needs `TEST_PG_STOP` and
//! `TEST_PG_START` and stops the cluster, so CI runs it on its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod instances;
mod outage;
mod plans;
mod reads;
mod test_databases;
mod units;

use common::trial::{run, trial};

/// The tests are listed as `[postgres] NAME`, so `--skip [postgres]` leaves them out.
const KIND: &str = "postgres";

/// A PostgreSQL server to create test databases on, or why there is none.
fn postgres() -> Result<(), String> {
    if common::on_postgres() {
        Ok(())
    } else {
        Err("PostgreSQL only: set TEST_DATABASE_URL=postgres://...".to_owned())
    }
}

/// A test that needs a PostgreSQL server and nothing else, listed under
/// its function's name.
macro_rules! on_postgres {
    ($module:ident :: $name:ident) => {
        trial(stringify!($name), postgres, |()| $module::$name())
    };
}

fn main() -> std::process::ExitCode {
    run(vec![
        on_postgres!(instances::two_instances_share_idempotency_submissions_and_cookies),
        on_postgres!(instances::the_expiry_sweep_runs_in_both_instances_without_errors_or_double_work),
        on_postgres!(instances::two_instances_deliver_every_event_of_a_burst_once),
        on_postgres!(outage::a_lost_database_gives_503_and_the_service_recovers_by_itself),
        on_postgres!(outage::start_up_waits_for_a_database_that_is_not_up_yet),
        on_postgres!(plans::lookups_by_id_read_one_row_however_the_table_grew),
        on_postgres!(plans::a_list_reads_one_page_however_the_group_grew),
        on_postgres!(reads::a_read_abandoned_mid_way_leaves_its_connection_whole_for_the_next),
        on_postgres!(reads::an_abandoned_read_that_then_fails_does_not_fail_the_next),
        on_postgres!(reads::a_unit_that_finds_the_server_gone_has_idle_reads_checked),
        on_postgres!(reads::a_unit_dropped_on_a_lost_server_has_idle_reads_checked),
        on_postgres!(units::a_unit_dropped_half_way_lets_go_of_its_locks_at_once),
        on_postgres!(test_databases::stale_test_databases_are_dropped_and_recent_or_busy_ones_kept),
        trial(
            "a_restarted_cluster_gives_503_meanwhile_and_the_service_recovers",
            outage::cluster_scripts,
            outage::a_restarted_cluster_gives_503_meanwhile_and_the_service_recovers,
        ),
    ]
    .into_iter()
    .map(|t| t.with_kind(KIND))
    .collect())
}
