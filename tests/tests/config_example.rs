//! `opsreport.example.toml` documents every setting with its default: it must parse and equal
//! the built-in defaults, so the documentation cannot drift from the code.

use opsreport_model::Config;
use opsreport_tests::repo_root;

#[test]
fn the_example_config_shows_exactly_the_defaults() {
    let text = std::fs::read_to_string(repo_root().join("opsreport.example.toml")).unwrap();
    let parsed = Config::from_toml(&text, "opsreport.example.toml").unwrap();
    assert_eq!(parsed, Config::default());
}
