//! Shards: a stable, even split of a grid by run id, for job arrays.

use crate::scenario::spec::RunSpec;
use std::fmt;
use std::str::FromStr;

/// Shard `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;
    /// `I/N` with 0 ≤ I < N, or `slurm` (from SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN and
    /// SLURM_ARRAY_TASK_COUNT).
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "slurm" {
            let var = |name: &str| -> Result<usize, String> {
                std::env::var(name)
                    .map_err(|_| format!("--shard slurm: {name} is not set (run inside a Slurm job array)"))?
                    .parse()
                    .map_err(|_| format!("--shard slurm: {name} is not a number"))
            };
            let id = var("SLURM_ARRAY_TASK_ID")?;
            let min = var("SLURM_ARRAY_TASK_MIN").unwrap_or(0);
            let count = var("SLURM_ARRAY_TASK_COUNT")?;
            return Shard::new(id.checked_sub(min).ok_or("SLURM_ARRAY_TASK_ID < SLURM_ARRAY_TASK_MIN")?, count);
        }
        let (i, n) = s.split_once('/').ok_or_else(|| format!("--shard `{s}`: expected I/N, e.g. 0/4, or `slurm`"))?;
        let i = i.trim().parse().map_err(|_| format!("--shard `{s}`: I is not a whole number"))?;
        let n = n.trim().parse().map_err(|_| format!("--shard `{s}`: N is not a whole number"))?;
        Shard::new(i, n)
    }
}

impl Shard {
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 || index >= count {
            return Err(format!("--shard {index}/{count}: need 0 ≤ I < N (shards are numbered from 0)"));
        }
        Ok(Shard { index, count })
    }

    /// The runs of this shard: runs sorted by id, dealt round-robin, so sizes differ by at most one
    /// and the assignment depends only on the grid.
    pub fn select(&self, runs: Vec<RunSpec>) -> Vec<RunSpec> {
        let mut ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        let mine: std::collections::HashSet<String> = ids
            .iter()
            .enumerate()
            .filter(|(pos, _)| pos % self.count == self.index)
            .map(|(_, id)| id.to_string())
            .collect();
        runs.into_iter().filter(|r| mine.contains(&r.id)).collect()
    }
}
