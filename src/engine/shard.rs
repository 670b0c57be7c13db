//! Shards: a stable, even split of a grid by run id, for job arrays (Slurm, Kubernetes Indexed Jobs,
//! GNU parallel).
//!
//! Assignment: the grid's run ids are sorted and dealt round-robin, so shard `I` of `N` holds the runs
//! at sorted positions `I, I+N, I+2N, …`. Sizes differ by at most one, the split depends only on the
//! grid (never on the machine, thread count or order of execution), and because ids are digests the
//! sorted order is a fixed pseudo-random shuffle of the grid: slow and fast cells spread evenly.

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
    /// `I/N` with 0 ≤ I < N, or `slurm` (see [`Shard::from_slurm`]).
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim() == "slurm" {
            return Shard::from_slurm(|name| std::env::var(name).ok());
        }
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("--shard `{s}`: expected I/N (e.g. 0/4) or `slurm`"))?;
        let i = i.trim().parse().map_err(|_| {
            format!("--shard `{s}`: I is not a whole number (expected I/N, e.g. 0/4)")
        })?;
        let n = n.trim().parse().map_err(|_| {
            format!("--shard `{s}`: N is not a whole number (expected I/N, e.g. 0/4)")
        })?;
        Shard::new(i, n).map_err(|e| format!("--shard `{s}`: {e}"))
    }
}

impl Shard {
    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 || index >= count {
            return Err(format!(
                "shard {index}/{count} does not exist: need 0 ≤ I < N (shards are numbered from 0)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm job array task: I = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN,
    /// N = SLURM_ARRAY_TASK_COUNT. The array must be contiguous (`--array=0-15`, `1-16`, `0-15%4`);
    /// a step (`0-15:2`) or a list with gaps would leave shards unrun, so it is refused.
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let num = |name: &str| -> Result<Option<usize>, String> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| format!("--shard slurm: {name}=`{v}` is not a whole number"))
                })
                .transpose()
        };
        let need = |name: &str| -> Result<usize, String> {
            num(name)?.ok_or_else(|| {
                format!("--shard slurm: {name} is not set; run inside a Slurm job array (sbatch --array=0-N), or give --shard I/N")
            })
        };
        let id = need("SLURM_ARRAY_TASK_ID")?;
        let count = need("SLURM_ARRAY_TASK_COUNT")?;
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let max = num("SLURM_ARRAY_TASK_MAX")?;
        let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
        let contiguous = step == 1 && max.is_none_or(|max| max + 1 == min + count);
        if !contiguous {
            return Err(format!(
                "--shard slurm: the job array is not contiguous (min {min}, max {}, step {step}, count {count}); \
                 submit it as --array=0-{} so every shard runs",
                max.map_or("?".to_string(), |m| m.to_string()),
                count.saturating_sub(1)
            ));
        }
        let index = id.checked_sub(min).ok_or_else(|| {
            format!("--shard slurm: SLURM_ARRAY_TASK_ID {id} < SLURM_ARRAY_TASK_MIN {min}")
        })?;
        Shard::new(index, count).map_err(|e| format!("--shard slurm: {e}"))
    }

    /// Default results folder of this shard, inside the scenario's folder: `shard-I-of-N`.
    pub fn folder_name(&self) -> String {
        format!("shard-{}-of-{}", self.index, self.count)
    }

    /// Whether the run at `position` in the id-sorted grid belongs to this shard.
    fn owns(&self, position: usize) -> bool {
        position % self.count == self.index
    }

    /// The runs of this shard, in their original (grid) order.
    pub fn select(&self, runs: Vec<RunSpec>) -> Vec<RunSpec> {
        let mut order: Vec<usize> = (0..runs.len()).collect();
        order.sort_by(|&a, &b| runs[a].id.cmp(&runs[b].id));
        let mut mine = vec![false; runs.len()];
        for (position, &i) in order.iter().enumerate() {
            mine[i] = self.owns(position);
        }
        runs.into_iter()
            .zip(mine)
            .filter_map(|(r, m)| m.then_some(r))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn slurm(vars: &[(&str, &str)]) -> Result<Shard, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Shard::from_slurm(|n| map.get(n).cloned())
    }

    #[test]
    fn parses_i_of_n_and_refuses_out_of_range() {
        assert_eq!(
            "3/16".parse::<Shard>().unwrap(),
            Shard {
                index: 3,
                count: 16
            }
        );
        assert!("16/16".parse::<Shard>().unwrap_err().contains("0 ≤ I < N"));
        assert!("0/0".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().unwrap_err().contains("expected I/N"));
        assert!("a/2"
            .parse::<Shard>()
            .unwrap_err()
            .contains("I is not a whole number"));
    }

    #[test]
    fn slurm_variables_map_to_zero_based_shards() {
        let s = slurm(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "8"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ]);
        assert_eq!(s.unwrap(), Shard { index: 4, count: 8 });
        let s = slurm(&[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(s.unwrap(), Shard { index: 2, count: 4 });
    }

    #[test]
    fn slurm_refuses_missing_variables_and_gapped_arrays() {
        assert!(slurm(&[("SLURM_ARRAY_TASK_COUNT", "4")])
            .unwrap_err()
            .contains("SLURM_ARRAY_TASK_ID is not set"));
        let stepped = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "6"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert!(slurm(&stepped).unwrap_err().contains("not contiguous"));
        let gapped = [
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ];
        assert!(slurm(&gapped).unwrap_err().contains("not contiguous"));
    }
}
