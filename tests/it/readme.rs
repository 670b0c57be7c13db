//! README.md stays true: its schema tables are the schema, its metric table is `Metric`'s, and CI runs
//! exactly the test command it gives.

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn readme_holds_the_schema_tables_verbatim() {
    let readme = read("README.md");
    let schema = labelnoise::scenario::schema::markdown();
    assert!(
        readme.contains(&schema),
        "README's scenario tables are stale: paste the output of `labelnoise schema`"
    );
}

#[test]
fn readme_holds_the_metric_table_verbatim() {
    let readme = read("README.md");
    assert!(
        readme.contains(&labelnoise::vocab::metric::markdown_table()),
        "README's metric table is stale: it must be `vocab::metric::markdown_table()`"
    );
}

#[test]
fn ci_runs_the_readme_test_command_and_the_named_scenarios_exist() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    let test_cmd = "cargo test --release";
    assert!(readme.contains(test_cmd));
    assert!(
        ci.lines().any(|l| l.trim() == test_cmd),
        ".ci/run must run `{test_cmd}`"
    );
    for word in readme.split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')') {
        if word.starts_with("scenarios/") && word.ends_with(".toml") {
            assert!(
                Path::new(env!("CARGO_MANIFEST_DIR")).join(word).is_file(),
                "README names {word}, which does not exist"
            );
        }
    }
}
