//! A scenario may grow: more seeds, or more values on an axis. Run ids digest a run's resolved
//! configuration and seed, so a stored run whose id is still in the edited grid means exactly what
//! it meant: it is kept (its grid index, axes and scenario hash rewritten to the new grid's) and
//! only the new runs are trained. A record whose id left the grid (a changed l2, a removed seed)
//! means the edit changed existing runs: that is refused, as any changed scenario was before.
//! Besides the grid, a run's numbers depend on the scenario's `ece_bins` only: checked from the
//! records' reliability bins. Sharded folders do not grow (a shard's slice changes with the grid).

use super::layout::{self as store, io, Manifest, StoreError};
use super::lines::LineCheck;
use super::record::RunRecord;
use crate::scenario::spec::RunSpec;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Whether the only differences between `old` and `new` are the scenario's text and grid.
pub fn may_grow(old: &Manifest, new: &Manifest, allow_other_build: bool) -> bool {
    old.scenario == new.scenario
        && old.version == new.version
        && (old.build == new.build || allow_other_build)
        && old.arithmetic == new.arithmetic
        && old.shard.is_none()
        && new.shard.is_none()
        && super::inputs::changed(&old.inputs, &new.inputs).is_none()
}

/// Number of equal-width bins the record's reliability bins were made with.
fn bins_of(record: &RunRecord) -> Option<usize> {
    let b = record.reliability.first()?;
    Some((1.0 / (b.hi - b.lo)).round() as usize)
}

/// Rewrites the records of `dir` for the grown grid `grid` (the whole grid of the edited
/// scenario, whose hash is `new.scenario_hash`): `Ok(Ok(kept))`, or `Ok(Err(why))` when a stored run
/// is not in the new grid, before anything is written. The caller writes the new manifest.
pub fn grow(
    dir: &Path,
    new: &Manifest,
    grid: &[RunSpec],
    ece_bins: usize,
) -> Result<Result<usize, String>, StoreError> {
    let by_id: HashMap<&str, &RunSpec> = grid.iter().map(|r| (r.id.as_str(), r)).collect();
    let path = dir.join(store::RUNS);
    // Check every line first; write nothing unless all are kept.
    let mut check = LineCheck::new(dir);
    let mut refusal = None;
    store::scan(dir, |number, _, line| {
        let record: RunRecord = serde_json::from_str(line)
            .map_err(|e| check.refused(number, &format!("not a run record: {e}")))?;
        check.check(&store::record_head(dir, number, line)?, number)?;
        if refusal.is_some() {
            return Ok(());
        }
        let at = format!("{}:{number}", path.display());
        if !by_id.contains_key(record.id.as_str()) {
            let cell: Vec<String> = record
                .axes
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            refusal = Some(format!(
                "{at}: run {} ({} seed={}) is not in the edited grid, so the edit changed what an existing run means (only more seeds or more axis values keep the runs)",
                record.id,
                cell.join(" "),
                record.seed
            ));
        } else if bins_of(&record).is_some_and(|b| b != ece_bins) {
            refusal = Some(format!(
                "{at}: run {} was measured with ece_bins = {}, the edited scenario has {ece_bins}",
                record.id,
                bins_of(&record).unwrap_or_default()
            ));
        }
        Ok(())
    })?;
    if let Some(why) = refusal {
        return Ok(Err(why));
    }
    let tmp = dir.join(format!("{}.tmp{}", store::RUNS, std::process::id()));
    let written = rewrite(dir, &tmp, new, &by_id);
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    let kept = written?;
    fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(Ok(kept))
}

/// Writes every record of `dir` into `tmp` with its place in the new grid.
fn rewrite(
    dir: &Path,
    tmp: &Path,
    new: &Manifest,
    by_id: &HashMap<&str, &RunSpec>,
) -> Result<usize, StoreError> {
    let mut out = BufWriter::new(File::create(tmp).map_err(io(tmp))?);
    let mut kept = 0;
    store::scan(dir, |_, _, line| {
        let mut record: RunRecord = serde_json::from_str(line).expect("checked above");
        let spec = by_id[record.id.as_str()];
        record.index = spec.index;
        record.axes = spec.axes.clone();
        record.scenario_hash = new.scenario_hash.clone();
        let text = serde_json::to_string(&record).expect("serializes") + "\n";
        out.write_all(text.as_bytes()).map_err(io(tmp))?;
        kept += 1;
        Ok(())
    })?;
    let f = out.into_inner().map_err(|e| io(tmp)(e.into_error()))?;
    f.sync_all().map_err(io(tmp))?;
    Ok(kept)
}
