//! Types that are valid by construction. No I/O here.

pub mod address;
pub mod api_key;
pub mod branding;
pub(crate) mod closed_set;
pub mod corrections;
pub mod countries;
pub mod draft;
pub mod entity;
pub mod event;
pub mod ids;
pub mod locale;
pub mod onboarding;
pub mod person;
pub mod program;
pub mod redirect_url;
pub mod session;
pub mod tasks;
pub mod tax_id;
pub mod time;
pub mod validation;

pub use redirect_url::RedirectUrl;
