//! What may be in a folder before labelnoise writes results into it: its manifest (and how it
//! conflicts with a run's), a user's own files (refused, never deleted), and what `--force` deletes
//! (only labelnoise's files).

use super::event::{Event, OnEvent};
use super::layout::{io, Admit, Growth, Manifest, StoreError, LOCK, MANIFEST, NOISE, RUNS};
use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Files derived from `runs.jsonl` that `--force` removes along with it.
const DERIVED: &[&str] = &[
    "summary.csv",
    "summary.md",
    "summary.json",
    "report.html",
    "runs.csv",
    "trace.csv",
    "summary_long.csv",
    super::provenance::PROVENANCE,
    super::provenance::SCENARIO_COPY,
];
/// Prefix of the probe file `preflight` writes and removes at once.
const PROBE_PREFIX: &str = ".labelnoise-probe-";

/// Why `dir` cannot take runs described by `manifest` as it is, with its manifest if readable.
pub(super) fn problem(
    dir: &Path,
    manifest: &Manifest,
    allow_other_build: bool,
) -> Result<Option<(String, Option<Manifest>)>, StoreError> {
    let rpath = dir.join(RUNS);
    Ok(match fs::read_to_string(dir.join(MANIFEST)) {
        Ok(text) => match serde_json::from_str::<Manifest>(&text) {
            Ok(old) => old
                .conflict(manifest, allow_other_build)
                .map(|what| (what, Some(old))),
            Err(e) => Some((format!("an unreadable {MANIFEST} ({e})"), None)),
        },
        Err(_) if fs::metadata(&rpath).is_ok_and(|m| m.len() > 0) => Some((
            format!("a {RUNS} without {MANIFEST}, so what it holds is unknown"),
            None,
        )),
        Err(_) => {
            let foreign = foreign_files(dir)?;
            (!foreign.is_empty()).then(|| {
                (
                    format!(
                        "files that are not labelnoise results ({})",
                        listed(&foreign)
                    ),
                    None,
                )
            })
        }
    })
}

/// Whether `runs` holds at least one complete line (a record, good or bad).
pub(super) fn has_records(runs: &Path) -> bool {
    let Ok(f) = File::open(runs) else {
        return false;
    };
    BufReader::new(f)
        .split(b'\n')
        .map_while(Result::ok)
        .any(|l| !l.iter().all(u8::is_ascii_whitespace))
}

/// Refuses a non-empty folder without a manifest before anything (even the lock) is written in it:
/// it is someone's own folder, not a results folder.
pub(super) fn refuse_foreign(dir: &Path) -> Result<(), StoreError> {
    if dir.join(MANIFEST).exists() {
        return Ok(());
    }
    let foreign = foreign_files(dir)?;
    if foreign.is_empty() {
        return Ok(());
    }
    let ours: Vec<String> = DERIVED
        .iter()
        .chain(&[RUNS, MANIFEST])
        .map(|f| f.to_string())
        .collect();
    Err(StoreError::Refused(format!(
        "{} is not empty and holds no {MANIFEST} of labelnoise, so it is not a results folder (it holds {}); choose another folder with --out, or use --force to write into it anyway (only the files labelnoise writes are then deleted: {} and {NOISE}/)",
        dir.display(),
        listed(&foreign),
        listed(&ours),
    )))
}

/// Entries of `dir` that labelnoise did not write (the lock and the preflight probe excepted).
fn foreign_files(dir: &Path) -> Result<Vec<String>, StoreError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let name = entry
            .map_err(io(dir))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        // A runs.jsonl without manifest is judged by what it holds, in `Store::open`.
        if name != LOCK && name != RUNS && !name.starts_with(PROBE_PREFIX) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The files of `dir` that [`clear`] deletes, as shown to the user.
pub(super) fn our_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = [RUNS, MANIFEST]
        .iter()
        .chain(DERIVED)
        .filter(|f| dir.join(f).exists())
        .map(|f| f.to_string())
        .collect();
    if dir.join(NOISE).exists() {
        names.push(format!("{NOISE}/"));
    }
    names
}

/// `a, b and c`, at most 20 names.
fn listed(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut s = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    s
}

/// Removes what labelnoise wrote in `dir` (records, manifest, sidecars, summaries), nothing else.
pub(super) fn clear(dir: &Path) -> Result<(), StoreError> {
    for f in [RUNS, MANIFEST].iter().chain(DERIVED) {
        let p = dir.join(f);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&p)(e)),
            _ => {}
        }
    }
    let noise = dir.join(NOISE);
    match fs::remove_dir_all(&noise) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&noise)(e)),
        _ => Ok(()),
    }
}

/// Settles what an existing folder holds against `manifest`: nothing to settle (false), a grown
/// scenario whose stored runs are kept, a folder with nothing to protect, or `--force` starting it
/// afresh (true: the manifest is rewritten); any other conflict is refused.
pub(super) fn settle(
    dir: &Path,
    manifest: &Manifest,
    growth: Option<Growth<'_>>,
    admit: Admit,
    on_event: OnEvent<'_>,
) -> Result<bool, StoreError> {
    let force = admit.force;
    let rpath = dir.join(RUNS);
    let Some((mut what, old)) = problem(dir, manifest, admit.allow_other_build)? else {
        return Ok(false);
    };
    let grows = match (&old, growth) {
        (Some(old), Some(g))
            if !force && super::grow::may_grow(old, manifest, admit.allow_other_build) =>
        {
            match super::grow::grow(dir, manifest, g.grid, g.ece_bins)? {
                Ok(kept) => {
                    on_event(Event::ScenarioGrew {
                        dir,
                        kept,
                        from: old.grid_runs,
                        to: manifest.grid_runs,
                    });
                    true
                }
                Err(why) => {
                    what = format!("{what}: {why}");
                    false
                }
            }
        }
        _ => false,
    };
    if grows || (old.is_some() && !has_records(&rpath)) {
        // Grown, or nothing to protect (say, a run stopped by bad data, then fixed).
        return Ok(true);
    }
    if !force {
        return Err(StoreError::Refused(format!(
            "{} holds {what}; use --force to start the folder afresh (its runs are deleted), or --out to choose another folder",
            dir.display()
        )));
    }
    let deleting = our_files(dir);
    on_event(Event::StartingAfresh {
        dir,
        what: &what,
        deleting: &deleting,
    });
    clear(dir)?;
    Ok(true)
}
