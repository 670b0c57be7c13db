//! Combines the folders of a sharded run (or any folders holding runs of one scenario) into one
//! results folder that equals the folder a single process would have written: the same manifest, the
//! same records (sorted by grid index) and the same noise sidecars, so the summaries rebuilt from it
//! are byte for byte those of a single-process run.
//!
//! Everything is checked before anything is written: one scenario (name and content hash), one
//! program version, no run twice, no run missing (listed by grid index, and by id, shard and cell when
//! the scenario file is still at hand). Records are copied as the bytes they were written with, one at
//! a time: memory holds only an index entry per record.

use super::event::{Event, OnEvent};
use super::shard::Shard;
use super::store::{self, Manifest, StoreError};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Lines of a list shown in an error before "… and N more".
const SHOWN: usize = 40;

#[derive(Debug, Error)]
pub enum MergeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Refused(String),
}

/// What a merge did.
#[derive(Debug)]
pub struct Merged {
    pub runs: usize,
    pub folders: usize,
    pub sidecars: usize,
    /// Folders whose torn last line was ignored.
    pub torn: Vec<PathBuf>,
}

/// Where one record is: folder, byte range in its `runs.jsonl`.
struct Entry {
    index: usize,
    id: String,
    folder: usize,
    offset: u64,
    len: usize,
}

struct Input {
    dir: PathBuf,
    manifest: Manifest,
    records: usize,
}

fn refused(s: impl Into<String>) -> MergeError {
    MergeError::Refused(s.into())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> MergeError + '_ {
    move |err| MergeError::Store(store::io(path)(err))
}

/// Shows at most [`SHOWN`] lines of a list.
fn bounded(lines: &[String]) -> String {
    let mut s: String = lines
        .iter()
        .take(SHOWN)
        .map(|l| format!("\n  {l}"))
        .collect();
    if lines.len() > SHOWN {
        s.push_str(&format!("\n  … and {} more", lines.len() - SHOWN));
    }
    s
}

/// Copies the noise sidecars into `noise`, rewriting only those that differ.
fn copy_sidecars(sidecars: &BTreeMap<String, PathBuf>, noise: &Path) -> Result<(), MergeError> {
    if !sidecars.is_empty() {
        fs::create_dir_all(noise).map_err(io(noise))?;
    }
    for (name, from) in sidecars {
        let to = noise.join(name);
        let bytes = fs::read(from).map_err(io(from))?;
        if fs::read(&to).ok().as_ref() != Some(&bytes) {
            store::write_atomic(&to, &bytes)?;
        }
    }
    Ok(())
}

/// Merges `dirs` into `out`, telling `on_event` of each torn last line it ignores.
pub fn merge(dirs: &[PathBuf], out: &Path, on_event: OnEvent<'_>) -> Result<Merged, MergeError> {
    if dirs.is_empty() {
        return Err(refused("merge: give at least one results folder"));
    }
    let inputs = read_inputs(dirs, out)?;
    let first = inputs[0].manifest.clone();
    let grid = first.grid_runs;

    // Index every record (one line in memory at a time).
    let mut entries = Vec::new();
    let mut torn = Vec::new();
    let mut counts = vec![0usize; inputs.len()];
    for (f, input) in inputs.iter().enumerate() {
        let dir = &input.dir;
        let m = &input.manifest;
        let was_torn = store::scan(dir, |number, offset, line| {
            let head = store::record_head(dir, number, line)?;
            let at = format!("{}:{number}", dir.join(store::RUNS).display());
            if head.scenario_hash != m.scenario_hash || head.version != m.version {
                return Err(StoreError::Refused(format!(
                    "{at}: record of scenario version {} by labelnoise {}, but the folder's {} says {} by {}",
                    head.scenario_hash,
                    head.version,
                    store::MANIFEST,
                    m.scenario_hash,
                    m.version
                )));
            }
            if head.index >= grid {
                return Err(StoreError::Refused(format!(
                    "{at}: grid index {} is beyond the grid's {grid} runs",
                    head.index
                )));
            }
            counts[f] += 1;
            entries.push(Entry {
                index: head.index,
                id: head.id,
                folder: f,
                offset,
                len: line.len(),
            });
            Ok(())
        })?;
        if was_torn {
            on_event(Event::TornLineIgnored {
                path: &dir.join(store::RUNS),
            });
            torn.push(dir.clone());
        }
    }
    let inputs: Vec<Input> = inputs
        .into_iter()
        .zip(counts)
        .map(|(i, records)| Input { records, ..i })
        .collect();
    entries.sort_by_key(|e| (e.index, e.folder, e.offset));
    check_complete(&inputs, &entries)?;
    let sidecars = sidecars(&inputs)?;

    // Write: lock the output, then manifest, records, sidecars.
    let manifest = Manifest {
        shard: None,
        total_runs: grid,
        ..first.clone()
    };
    fs::create_dir_all(out).map_err(io(out))?;
    let _lock = store::lock(out)?;
    check_output(out, &manifest)?;
    store::write_manifest(out, &manifest)?;
    write_records(&inputs, &entries, out)?;
    copy_sidecars(&sidecars, &out.join(store::NOISE))?;
    super::provenance::copy_scenario(&inputs[0].dir, out)?;
    super::provenance::record(out, None, None)?;
    Ok(Merged {
        runs: entries.len(),
        folders: inputs.len(),
        sidecars: sidecars.len(),
        torn,
    })
}

/// Reads and cross-checks the manifests of the input folders.
fn read_inputs(dirs: &[PathBuf], out: &Path) -> Result<Vec<Input>, MergeError> {
    let out_real = fs::canonicalize(out).ok();
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    let mut inputs = Vec::new();
    for dir in dirs {
        let real =
            fs::canonicalize(dir).map_err(|e| refused(format!("merge: {}: {e}", dir.display())))?;
        if let Some(earlier) = seen.insert(real.clone(), dir) {
            return Err(refused(format!(
                "merge: {} is given twice (also as {})",
                dir.display(),
                earlier.display()
            )));
        }
        if out_real.as_ref() == Some(&real) {
            return Err(refused(format!(
                "merge: the output {} is also an input; merge into another folder",
                out.display()
            )));
        }
        if store::is_locked(dir) {
            return Err(refused(format!(
                "merge: {} is still being written by a labelnoise process (its lock is held); merge once every shard has finished",
                dir.display()
            )));
        }
        let manifest = store::read_manifest(dir).map_err(|e| {
            refused(format!(
                "merge: {} is not a labelnoise results folder (cannot read its {}): {e}",
                dir.display(),
                store::MANIFEST
            ))
        })?;
        inputs.push(Input {
            dir: dir.clone(),
            manifest,
            records: 0,
        });
    }
    refuse_mixed(&inputs, "scenarios", |m| {
        format!(
            "`{}` (content hash {}, {} runs)",
            m.scenario, m.scenario_hash, m.grid_runs
        )
    })?;
    refuse_mixed(&inputs, "program versions", |m| {
        format!("labelnoise {}", m.version)
    })?;
    refuse_mixed(&inputs, "builds of labelnoise", |m| {
        format!("build {}", m.build)
    })?;
    refuse_mixed(
        &inputs,
        &format!(
            "arithmetics (fused and unfused kernels differ in the last digits; run the shards of one of them again with {} set to the other's kernel: unfused, or portable, avx2 or avx512 for fused)",
            crate::train::objective::KERNEL_VAR
        ),
        |m| format!("{} arithmetic", m.arithmetic.name()),
    )?;
    refuse_mixed(
        &inputs,
        "input data (a data file changed between shards)",
        |m| {
            let files: Vec<String> = m
                .inputs
                .iter()
                .map(|(f, h)| format!("{f} sha256 {h}"))
                .collect();
            files.join(", ")
        },
    )?;
    Ok(inputs)
}

/// Refuses inputs that differ in `what`, listing the folders of each value.
fn refuse_mixed(
    inputs: &[Input],
    what: &str,
    key: impl Fn(&Manifest) -> String,
) -> Result<(), MergeError> {
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in inputs {
        groups
            .entry(key(&i.manifest))
            .or_default()
            .push(i.dir.display().to_string());
    }
    if groups.len() <= 1 {
        return Ok(());
    }
    let lines: Vec<String> = groups
        .iter()
        .map(|(k, dirs)| format!("{k}: {}", dirs.join(", ")))
        .collect();
    Err(refused(format!(
        "merge: the folders hold mixed {what}; merge only the shards of one run:{}",
        bounded(&lines)
    )))
}

/// Refuses duplicate and missing runs, with lists.
fn check_complete(inputs: &[Input], entries: &[Entry]) -> Result<(), MergeError> {
    let grid = inputs[0].manifest.grid_runs;
    let name = |f: usize| inputs[f].dir.display().to_string();
    let mut duplicates = Vec::new();
    let mut present = vec![false; grid];
    for group in entries.chunk_by(|a, b| a.index == b.index) {
        present[group[0].index] = true;
        if group.iter().any(|e| e.id != group[0].id) {
            let ids: Vec<String> = group
                .iter()
                .map(|e| format!("{} in {}", e.id, name(e.folder)))
                .collect();
            return Err(refused(format!(
                "merge: grid index #{} has different run ids ({}): the folders are corrupt or were edited",
                group[0].index,
                ids.join(", ")
            )));
        }
        if group.len() > 1 {
            let folders: Vec<String> = group.iter().map(|e| name(e.folder)).collect();
            duplicates.push(format!(
                "#{} id {}: {}",
                group[0].index,
                group[0].id,
                folders.join(", ")
            ));
        }
    }
    let missing: Vec<usize> = (0..grid).filter(|&i| !present[i]).collect();
    if duplicates.is_empty() && missing.is_empty() {
        return Ok(());
    }
    let mut msg = String::from("merge: refused");
    if !duplicates.is_empty() {
        msg.push_str(&format!(
            "\n{} run(s) appear more than once (same shard given twice, or overlapping shards):{}",
            duplicates.len(),
            bounded(&duplicates)
        ));
    }
    if !missing.is_empty() {
        msg.push_str(&format!(
            "\n{} of the grid's {grid} run(s) are missing{}",
            missing.len(),
            shard_note(inputs)
        ));
        msg.push_str(&bounded(&describe_missing(inputs, &missing)));
    }
    Err(refused(msg))
}

/// Which shards were not given, and which given folders are incomplete.
fn shard_note(inputs: &[Input]) -> String {
    let shards: Vec<Option<Shard>> = inputs
        .iter()
        .map(|i| i.manifest.shard.as_deref().and_then(|s| s.parse().ok()))
        .collect();
    let mut notes = Vec::new();
    if let Some(Some(first)) = shards.first() {
        let n = first.count;
        if shards.iter().all(|s| s.is_some_and(|s| s.count == n)) {
            let given: BTreeSet<usize> = shards.iter().flatten().map(|s| s.index).collect();
            let absent: Vec<String> = (0..n)
                .filter(|i| !given.contains(i))
                .map(|i| format!("{i}/{n}"))
                .collect();
            if !absent.is_empty() {
                notes.push(format!("shard(s) not given: {}", absent.join(", ")));
            }
        }
    }
    for i in inputs {
        if i.records < i.manifest.total_runs {
            notes.push(format!(
                "{} holds {} of its {} runs (interrupted? rerun its command to resume it)",
                i.dir.display(),
                i.records,
                i.manifest.total_runs
            ));
        }
    }
    if notes.is_empty() {
        String::from(":")
    } else {
        format!(" ({}):", notes.join("; "))
    }
}

/// Names missing runs by grid index, plus id, shard and cell when the scenario file is unchanged.
fn describe_missing(inputs: &[Input], missing: &[usize]) -> Vec<String> {
    let m = &inputs[0].manifest;
    let scenario = crate::scenario::load(Path::new(&m.scenario_path))
        .ok()
        .filter(|s| s.content_hash == m.scenario_hash && s.run_count() == m.grid_runs);
    let Some(scenario) = scenario else {
        return missing.iter().map(|i| format!("#{i} (the scenario file {} has changed or moved, so only grid indexes are known)", m.scenario_path)).collect();
    };
    let runs = scenario.runs();
    let count = m
        .shard
        .as_deref()
        .and_then(|s| s.parse::<Shard>().ok())
        .map(|s| s.count);
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[a].id.cmp(&runs[b].id));
    let mut position = vec![0; runs.len()];
    for (p, &i) in order.iter().enumerate() {
        position[i] = p;
    }
    missing
        .iter()
        .map(|&i| {
            let r = &runs[i];
            let mut cell: Vec<String> = r.axes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            cell.push(format!("seed={}", r.seed));
            let shard = count.map_or(String::new(), |n| format!(" shard {}/{n}", position[i] % n));
            format!("#{i} id {}{shard}: {}", r.id, cell.join(" "))
        })
        .collect()
}

/// Noise sidecars by file name; the same name in two folders must hold the same bytes.
fn sidecars(inputs: &[Input]) -> Result<BTreeMap<String, PathBuf>, MergeError> {
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    for input in inputs {
        let dir = input.dir.join(store::NOISE);
        let Ok(list) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in list {
            let path = entry.map_err(io(&dir))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()).map(String::from) else {
                continue;
            };
            if !name.ends_with(".json") {
                continue; // temporaries of an interrupted write
            }
            match found.get(&name) {
                Some(earlier) => {
                    if fs::read(earlier).map_err(io(earlier))?
                        != fs::read(&path).map_err(io(&path))?
                    {
                        return Err(refused(format!(
                            "merge: noise sidecars {} and {} differ, though their draws should be identical",
                            earlier.display(),
                            path.display()
                        )));
                    }
                }
                None => {
                    found.insert(name, path);
                }
            }
        }
    }
    Ok(found)
}

/// Refuses an output folder that holds something else than this scenario's results.
fn check_output(out: &Path, manifest: &Manifest) -> Result<(), MergeError> {
    match store::read_manifest(out) {
        Ok(old) if old.scenario == manifest.scenario && old.scenario_hash == manifest.scenario_hash && old.version == manifest.version && old.build == manifest.build && old.shard.is_none() => Ok(()),
        Ok(old) => Err(refused(format!(
            "merge: {} already holds other results (scenario `{}`, content hash {}, labelnoise {}{}); choose an empty folder",
            out.display(),
            old.scenario,
            old.scenario_hash,
            old.version,
            old.shard.map_or(String::new(), |s| format!(", shard {s}"))
        ))),
        Err(_) if fs::metadata(out.join(store::RUNS)).is_ok() => Err(refused(format!(
            "merge: {} holds a {} without {}; choose an empty folder",
            out.display(),
            store::RUNS,
            store::MANIFEST
        ))),
        Err(_) => Ok(()),
    }
}

/// Writes `out/runs.jsonl` in grid order from the inputs' bytes, then renames it into place.
fn write_records(inputs: &[Input], entries: &[Entry], out: &Path) -> Result<(), MergeError> {
    let mut files = Vec::new();
    for i in inputs {
        let p = i.dir.join(store::RUNS);
        files.push(File::open(&p).map_err(io(&p))?);
    }
    let target = out.join(store::RUNS);
    let tmp = out.join(format!("{}.tmp{}", store::RUNS, std::process::id()));
    let mut w = BufWriter::new(File::create(&tmp).map_err(io(&tmp))?);
    let mut line = Vec::new();
    for e in entries {
        let src = &inputs[e.folder].dir.join(store::RUNS);
        line.resize(e.len, 0);
        files[e.folder]
            .seek(SeekFrom::Start(e.offset))
            .map_err(io(src))?;
        files[e.folder].read_exact(&mut line).map_err(io(src))?;
        w.write_all(&line).map_err(io(&tmp))?;
    }
    let f = w.into_inner().map_err(|e| io(&tmp)(e.into_error()))?;
    f.sync_all().map_err(io(&tmp))?;
    fs::rename(&tmp, &target).map_err(io(&target))
}
