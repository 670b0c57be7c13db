//! The gallery of studies cannot rot silently: every scenario in `scenarios/studies/` passes
//! `labelnoise check`, has a section in docs/studies.md (written by scripts/studies.sh) whose run
//! count is what `labelnoise plan` says today, and every figure that page links exists. The studies
//! themselves are not run here (scripts/studies.sh does that).

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn study_files() -> Vec<PathBuf> {
    crate::toml_files(repo().join("scenarios/studies"))
}

fn stdout_of(args: &[&str]) -> String {
    let out = Command::cargo_bin("labelnoise")
        .unwrap()
        .args(args)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).to_string()
}

/// The first integer after `prefix` on a line starting with it, within `text`.
fn count_after(text: &str, prefix: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(prefix))?;
    let digits: String = line[prefix.len()..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The text of docs/studies.md from the heading `## <study>` to the next `## ` heading.
fn doc_section<'a>(doc: &'a str, study: &str) -> Option<&'a str> {
    let heading = format!("\n## {study}\n");
    let start = doc.find(&heading)? + 1;
    let rest = &doc[start + heading.len() - 1..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
    Some(&rest[..end])
}

#[test]
fn every_study_checks_and_its_documented_run_count_is_the_plan() {
    let doc = std::fs::read_to_string(repo().join("docs/studies.md")).unwrap();
    let files = study_files();
    assert!(files.len() >= 4, "the gallery holds at least four studies");
    for file in &files {
        let path = file.display().to_string();
        let study = file.file_stem().unwrap().to_str().unwrap();
        stdout_of(&["check", &path]);
        let planned = count_after(&stdout_of(&["plan", &path]), "runs:")
            .unwrap_or_else(|| panic!("`labelnoise plan {path}` prints no `runs: N` line"));
        let section = doc_section(&doc, study).unwrap_or_else(|| {
            panic!("docs/studies.md has no section `## {study}`: run scripts/studies.sh")
        });
        let documented = count_after(section, "- runs (labelnoise plan):")
            .unwrap_or_else(|| panic!("docs/studies.md `## {study}` gives no run count"));
        assert_eq!(
            documented, planned,
            "{study}: docs/studies.md says {documented} runs, `plan` says {planned}: run scripts/studies.sh"
        );
        assert!(
            repo()
                .join(format!("docs/studies/{study}/notes.md"))
                .is_file(),
            "{study} has no hand-written docs/studies/{study}/notes.md"
        );
    }
}

#[test]
fn docs_studies_has_no_stale_study_and_every_linked_figure_exists() {
    let doc = std::fs::read_to_string(repo().join("docs/studies.md")).unwrap();
    let studies: Vec<String> = study_files()
        .iter()
        .map(|f| f.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    for heading in doc.lines().filter_map(|l| l.strip_prefix("## ")) {
        assert!(
            studies.iter().any(|s| s == heading),
            "docs/studies.md documents `{heading}`, which scenarios/studies/ no longer holds"
        );
    }
    let mut figures = 0;
    for link in doc.split("](studies/").skip(1) {
        let target = &link[..link.find(')').unwrap()];
        assert!(
            repo().join("docs/studies").join(target).is_file(),
            "docs/studies.md links docs/studies/{target}, which does not exist"
        );
        figures += 1;
    }
    assert!(figures >= studies.len(), "every study shows a figure");
}

#[test]
fn count_after_and_doc_section_read_the_generated_format() {
    let doc = "# Studies\n\n## a\n- runs (labelnoise plan): 12 = 3 × 4\n\n## b\n- runs (labelnoise plan): 7\n";
    let a = doc_section(doc, "a").unwrap();
    assert_eq!(count_after(a, "- runs (labelnoise plan):"), Some(12));
    assert_eq!(
        count_after(doc_section(doc, "b").unwrap(), "- runs (labelnoise plan):"),
        Some(7)
    );
    assert!(doc_section(doc, "c").is_none());
    assert_eq!(count_after("runs: 720 = 2 × 360", "runs:"), Some(720));
}
