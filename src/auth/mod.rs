//! Accounts, sign-in and permissions for editors, the cooperation teams and the central team.

pub mod accounts;
pub mod permissions;
pub mod secrets;
pub mod throttle;
