//! One module per subcommand.

pub mod fixtures;
pub mod metrics;
pub mod validate;
