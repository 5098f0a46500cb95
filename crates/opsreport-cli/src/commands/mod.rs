//! One module per subcommand.

pub mod bench;
pub mod fixtures;
pub mod generate;
pub mod metrics;
pub mod template;
pub mod validate;
