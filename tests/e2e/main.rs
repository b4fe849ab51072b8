//! End-to-end journeys: headless Chromium, driven through WebDriver, completes
//! onboarding on a real server, checked with axe-core on every page state.
//!
//! Needs Debian's `chromium` and `chromium-driver`, and `axe-core` from npm
//! (`npm install --no-save axe-core`); `CHROMIUM`, `CHROMEDRIVER` and
//! `AXE_CORE_JS` override where they are looked for. Without them the journeys
//! show as ignored, with the reason, except when `CI` is set: then they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod journeys;
mod receiver;

use common::trial::{run, trial};

/// Each journey as a trial named after its function.
macro_rules! journeys {
    ($($journey:ident),* $(,)?) => {
        vec![$(trial(stringify!($journey), browser::tools, journeys::$journey)),*]
    };
}

fn main() -> std::process::ExitCode {
    run(journeys![
        a_corporation_with_two_owners_completes_onboarding,
        an_individual_completes_onboarding,
        mistakes_are_explained_and_can_be_corrected,
        owners_are_added_and_removed_with_javascript_disabled,
        expired_used_and_unknown_links_show_the_right_pages,
        a_phone_sized_window_completes_the_journey_without_horizontal_scrolling,
        the_journey_resumes_in_another_browser,
        an_existing_entity_fixes_its_flagged_tax_id_and_adds_its_missing_owner,
        an_existing_entity_completes_its_tasks_on_a_phone,
        an_existing_entity_completes_its_tasks_320_px_wide,
        a_320_px_wide_window_completes_the_business_journey,
        dead_ends_lead_on_on_a_phone,
        the_keyboard_alone_completes_the_journey,
        a_branded_program_framed_by_its_platform_completes_onboarding,
        a_branded_program_in_spanish_on_a_phone,
        a_branded_program_in_english_on_a_phone,
        a_branded_program_in_spanish_on_a_wide_screen,
        a_business_completes_onboarding_in_spanish,
        a_business_completes_onboarding_in_spanish_on_a_phone,
    ])
}
