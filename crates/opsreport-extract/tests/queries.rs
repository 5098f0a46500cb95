//! The Athena queries in `queries/` against the contract in code: every query parses, selects
//! exactly `aws_account_id`, the `month` partition (partitioned tables) and the contract's
//! columns in order, cast to the contract's types, and takes every value as a `?` execution
//! parameter; every table has a DDL statement.

use opsreport_extract::queries::{ACCOUNTS_MARKER, prepare, query_text, table_ddl};
use opsreport_model::contract::ColumnType;
use opsreport_model::period::parse_time_zone;
use opsreport_model::{AccountId, DatasetName, ReportPeriod, YearMonth};
use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

fn athena_type(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::String => "VARCHAR",
        ColumnType::Timestamp => "TIMESTAMP",
        ColumnType::Date => "DATE",
        ColumnType::Int64 => "BIGINT",
        ColumnType::Double => "DOUBLE",
        ColumnType::Boolean => "BOOLEAN",
    }
}

fn select_of(sql: &str) -> sqlparser::ast::Select {
    let statements = Parser::parse_sql(&GenericDialect {}, sql).unwrap_or_else(|error| panic!("does not parse: {error}\n{sql}"));
    assert_eq!(statements.len(), 1);
    let Statement::Query(query) = &statements[0] else { panic!("not a query: {sql}") };
    let SetExpr::Select(select) = query.body.as_ref() else { panic!("not a plain SELECT: {sql}") };
    (**select).clone()
}

#[test]
fn every_query_selects_exactly_the_contract_columns() {
    for dataset in DatasetName::ALL {
        let spec = dataset.spec();
        let text = query_text(dataset);
        assert!(text.contains(ACCOUNTS_MARKER), "{dataset}: the account list marker is missing");
        let select = select_of(text);
        let mut items = select.projection.iter();
        match items.next() {
            Some(SelectItem::UnnamedExpr(Expr::Identifier(ident))) => assert_eq!(ident.value, "aws_account_id", "{dataset}"),
            other => panic!("{dataset}: the first column must be aws_account_id, found {other:?}"),
        }
        if spec.partition_column.is_some() {
            match items.next() {
                Some(SelectItem::UnnamedExpr(Expr::Identifier(ident))) => assert_eq!(ident.value, "month", "{dataset}"),
                other => panic!("{dataset}: the second column of a month-partitioned table must be month, found {other:?}"),
            }
        }
        let mut selected = Vec::new();
        for item in items {
            let SelectItem::ExprWithAlias { expr: Expr::Cast { expr, data_type, .. }, alias } = item else {
                panic!("{dataset}: every contract column is `CAST(column AS type) AS column`, found {item}");
            };
            let column =
                spec.column(&alias.value).unwrap_or_else(|| panic!("{dataset}: {} is not a contract column", alias.value));
            assert_eq!(expr.to_string(), alias.value, "{dataset}: {} must read the column of the same name", alias.value);
            assert_eq!(
                data_type.to_string().to_uppercase(),
                athena_type(column.column_type),
                "{dataset}: {} has the wrong type",
                alias.value
            );
            selected.push(alias.value.clone());
        }
        assert_eq!(selected, spec.column_names(), "{dataset}: columns or their order differ from the contract");
        assert_eq!(select.from.len(), 1, "{dataset}");
        assert_eq!(select.from[0].relation.to_string(), spec.name, "{dataset}: reads the table of its own name");
    }
}

#[test]
fn every_value_is_an_execution_parameter() {
    let period = ReportPeriod::new(YearMonth::parse("2026-10").unwrap(), parse_time_zone("Europe/Berlin").unwrap());
    let accounts: Vec<AccountId> =
        ["000000000001", "012345678901", "999999999999"].iter().map(|id| AccountId::parse(id).unwrap()).collect();
    for dataset in DatasetName::ALL {
        let prepared = prepare(dataset, &accounts, &period);
        let select = select_of(&prepared.sql);
        let filter = select.selection.expect("every query filters").to_string();
        assert!(
            !filter.contains('\'') && !filter.chars().any(|c| c.is_ascii_digit()),
            "{dataset}: a literal value in WHERE: {filter}"
        );
        assert!(filter.contains("aws_account_id IN (?, ?, ?)"), "{dataset}: {filter}");
        let partitioned = dataset.spec().partition_column.is_some();
        assert_eq!(filter.contains("month BETWEEN ? AND ?"), partitioned, "{dataset}: partition filter: {filter}");
        assert_eq!(prepared.sql.matches('?').count(), prepared.parameters.len(), "{dataset}");
        // One query serves every account of a fleet.
        assert_eq!(&prepared.parameters[..3], ["'000000000001'", "'012345678901'", "'999999999999'"]);
        if partitioned {
            // Berlin October reads back to September 30 22:00 UTC: six months of lookback start there.
            let last = prepared.parameters.last().unwrap();
            assert_eq!(last, "'2026-10'", "{dataset}");
        }
    }
}

#[test]
fn every_table_has_ddl_with_partition_projection() {
    for dataset in DatasetName::ALL {
        let ddl = table_ddl(dataset);
        assert!(ddl.contains(&format!("CREATE EXTERNAL TABLE IF NOT EXISTS {} (", dataset.as_str())), "{dataset}");
        assert!(
            ddl.contains("'projection.enabled' = 'true'") && ddl.contains("'projection.aws_account_id.type' = 'injected'"),
            "{dataset}"
        );
        for column in dataset.spec().columns {
            assert!(ddl.contains(&format!("`{}` ", column.name)), "{dataset}: DDL lacks {}", column.name);
        }
        assert_eq!(ddl.contains("`month` string"), dataset.spec().partition_column.is_some(), "{dataset}");
    }
}

#[test]
fn ssr_ddl_holds_every_column_the_ssr_mapping_reads() {
    use opsreport_model::sources::SourceFormat;
    for dataset in SourceFormat::AmsSsr.datasets() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../queries/ddl/ssr/{dataset}.sql"));
        let ddl = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert!(ddl.contains("org.openx.data.jsonserde.JsonSerDe"), "{dataset}");
        assert!(ddl.contains("'projection.awsaccountid.type' = 'injected'"), "{dataset}");
        assert!(ddl.contains("Date=${reportdate}/"), "{dataset}");
        let lacks = SourceFormat::AmsSsr.unavailable_columns(*dataset);
        for column in dataset.spec().columns {
            if lacks.contains(&column.name) || column.name == "snapshot_date" {
                continue;
            }
            assert!(ddl.contains(&format!("`{}` string", column.name)), "{dataset}: the SSR DDL lacks {}", column.name);
        }
    }
}
