//! Public reference data shipped inside the binary, so every command works from any directory
//! on a machine that has only the `meent` binary (see `README.md` here for the sources).

/// The Uniforme Productnaamlijst as Logius publishes it (CSV).
pub const UPL_CSV: &str = include_str!("upl-actueel-2025-04.csv");

/// The name `UPL_CSV` is reported under.
pub const UPL_NAME: &str = "upl-actueel-2025-04.csv (built in)";

/// The OWMS value list of municipalities (XML).
pub const MUNICIPALITIES_XML: &str = include_str!("owms-gemeenten.xml");

/// The name `MUNICIPALITIES_XML` is reported under.
pub const MUNICIPALITIES_NAME: &str = "owms-gemeenten.xml (built in)";
