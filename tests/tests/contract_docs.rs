//! `docs/data-contract.md` (for users) and the contract in code (for readers) must agree
//! column for column: names, types and required flags, in order.

use opsreport_model::DatasetName;
use opsreport_model::contract::ColumnType;
use opsreport_tests::repo_root;

/// The rows of the column table under the `### \`<dataset>\`` heading: (name, type, required).
fn documented_columns(markdown: &str, dataset: &str) -> Vec<(String, String, bool)> {
    let heading = format!("### `{dataset}`");
    let start = markdown.find(&heading).unwrap_or_else(|| panic!("docs/data-contract.md has no heading {heading}"));
    let rest = &markdown[start + heading.len()..];
    let section = &rest[..rest.find("\n### ").unwrap_or(rest.len())];
    let mut columns = Vec::new();
    for line in section.lines().filter(|line| line.starts_with("| `")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let names = cells[0];
        let column_type = cells[1].to_owned();
        let required = match cells[2] {
            "yes" => true,
            "no" => false,
            other => panic!("{dataset}: required must be yes or no, found {other}"),
        };
        for name in names.split(',') {
            columns.push((name.trim().trim_matches('`').to_owned(), column_type.clone(), required));
        }
    }
    columns
}

#[test]
fn documented_contract_matches_the_code() {
    let markdown = std::fs::read_to_string(repo_root().join("docs/data-contract.md")).unwrap();
    for dataset in DatasetName::ALL {
        let spec = dataset.spec();
        let documented = documented_columns(&markdown, spec.name);
        let in_code: Vec<(String, String, bool)> = spec
            .columns
            .iter()
            .map(|column| {
                let name = match column.column_type {
                    ColumnType::String => "string",
                    other => other.name(),
                };
                (column.name.to_owned(), name.to_owned(), column.required)
            })
            .collect();
        assert_eq!(documented, in_code, "docs/data-contract.md and the code disagree on {}", spec.name);
    }
}
