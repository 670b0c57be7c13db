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
use thiserror::Error;

/// Shard `index` (0-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// What a shard number must be; said by every range error.
const ALLOWED: &str = "need 0 ≤ I < N (shards are numbered from 0)";
/// What `--shard` takes; said by every error about its text.
const FORMS: &str = "expected I/N, e.g. 0/4, or `slurm`";

/// Why a shard cannot be made. Each message names the flag or Slurm variable, the value given and
/// what is allowed, so it can be shown as it is (by the CLI and the Python package alike).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ShardError {
    /// `Shard::new` with numbers that name no shard.
    #[error("shard {index}/{count} does not exist: {ALLOWED}")]
    OutOfRange { index: usize, count: usize },
    /// `--shard` text without a `/`.
    #[error("--shard `{given}`: {FORMS}")]
    NotIOfN { given: String },
    /// `--shard I/N` where I or N (`part`) is not a whole number.
    #[error("--shard `{given}`: {part} is not a whole number ({FORMS})")]
    NotWholeNumber { given: String, part: char },
    /// `--shard I/N` that names no shard.
    #[error("--shard `{given}`: shard {index}/{count} does not exist: {ALLOWED}")]
    FlagOutOfRange {
        given: String,
        index: usize,
        count: usize,
    },
    /// `--shard slurm` with a Slurm variable that is not a whole number.
    #[error("--shard slurm: {name}=`{value}` is not a whole number")]
    SlurmNotWholeNumber { name: &'static str, value: String },
    /// `--shard slurm` outside a job array.
    #[error("--shard slurm: {name} is not set; run inside a Slurm job array (sbatch --array=0-N), or give --shard I/N")]
    SlurmUnset { name: &'static str },
    /// A stepped or gapped job array (its shards would not all run).
    #[error(
        "--shard slurm: the job array is not contiguous (min {min}, max {}, step {step}, count {count}); \
         submit it as --array=0-{} so every shard runs",
        max.map_or("?".to_string(), |m| m.to_string()),
        count.saturating_sub(1)
    )]
    SlurmNotContiguous {
        min: usize,
        max: Option<usize>,
        step: usize,
        count: usize,
    },
    /// A task id below the array's first id.
    #[error("--shard slurm: SLURM_ARRAY_TASK_ID {id} < SLURM_ARRAY_TASK_MIN {min}")]
    SlurmIdBelowMin { id: usize, min: usize },
    /// Task id − first id names no shard of SLURM_ARRAY_TASK_COUNT.
    #[error(
        "--shard slurm: SLURM_ARRAY_TASK_ID {id} − SLURM_ARRAY_TASK_MIN {min} = {} with SLURM_ARRAY_TASK_COUNT {count}: shard {}/{count} does not exist: {ALLOWED}",
        id - min,
        id - min
    )]
    SlurmOutOfRange { id: usize, min: usize, count: usize },
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;
    /// `I/N` with 0 ≤ I < N, or `slurm` (see [`Shard::from_slurm`]).
    fn from_str(s: &str) -> Result<Self, ShardError> {
        if s.trim() == "slurm" {
            return Shard::from_slurm(|name| std::env::var(name).ok());
        }
        let given = || s.to_string();
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| ShardError::NotIOfN { given: given() })?;
        let whole = |text: &str, part| {
            text.trim()
                .parse::<usize>()
                .map_err(|_| ShardError::NotWholeNumber {
                    given: given(),
                    part,
                })
        };
        let (index, count) = (whole(i, 'I')?, whole(n, 'N')?);
        Shard::new(index, count).map_err(|_| ShardError::FlagOutOfRange {
            given: given(),
            index,
            count,
        })
    }
}

impl Shard {
    pub fn new(index: usize, count: usize) -> Result<Shard, ShardError> {
        if count == 0 || index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The shard of a Slurm job array task: I = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN,
    /// N = SLURM_ARRAY_TASK_COUNT. The array must be contiguous (`--array=0-15`, `1-16`, `0-15%4`);
    /// a step (`0-15:2`) or a list with gaps would leave shards unrun, so it is refused.
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        let num = |name: &'static str| -> Result<Option<usize>, ShardError> {
            var(name)
                .map(|value| {
                    value
                        .trim()
                        .parse()
                        .map_err(|_| ShardError::SlurmNotWholeNumber { name, value })
                })
                .transpose()
        };
        let need = |name: &'static str| num(name)?.ok_or(ShardError::SlurmUnset { name });
        let id = need("SLURM_ARRAY_TASK_ID")?;
        let count = need("SLURM_ARRAY_TASK_COUNT")?;
        let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let max = num("SLURM_ARRAY_TASK_MAX")?;
        let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1);
        let contiguous = step == 1 && max.is_none_or(|max| max + 1 == min + count);
        if !contiguous {
            return Err(ShardError::SlurmNotContiguous {
                min,
                max,
                step,
                count,
            });
        }
        let index = id
            .checked_sub(min)
            .ok_or(ShardError::SlurmIdBelowMin { id, min })?;
        Shard::new(index, count).map_err(|_| ShardError::SlurmOutOfRange { id, min, count })
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

    fn slurm(vars: &[(&str, &str)]) -> Result<Shard, ShardError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Shard::from_slurm(|n| map.get(n).cloned())
    }

    /// The error, after checking that its message holds every one of `parts`.
    fn says(result: Result<Shard, ShardError>, parts: &[&str]) -> ShardError {
        let e = result.unwrap_err();
        let text = e.to_string();
        for part in parts {
            assert!(text.contains(part), "`{text}` lacks `{part}`");
        }
        e
    }

    #[test]
    fn parses_i_of_n() {
        let want = Shard {
            index: 3,
            count: 16,
        };
        assert_eq!("3/16".parse::<Shard>().unwrap(), want);
        assert_eq!(" 3 / 16 ".parse::<Shard>().unwrap(), want);
        assert_eq!(Shard::new(3, 16).unwrap(), want);
        assert_eq!(want.to_string().parse::<Shard>().unwrap(), want);
    }

    #[test]
    fn numbers_outside_0_to_n_are_refused_with_the_range() {
        for (i, n) in [(4, 4), (5, 4), (0, 0)] {
            let e = says(Shard::new(i, n), &[&format!("shard {i}/{n}"), ALLOWED]);
            assert_eq!(e, ShardError::OutOfRange { index: i, count: n });
            let given = format!("{i}/{n}");
            let e = says(given.parse(), &[&format!("--shard `{given}`"), ALLOWED]);
            assert_eq!(
                e,
                ShardError::FlagOutOfRange {
                    given,
                    index: i,
                    count: n
                }
            );
        }
    }

    #[test]
    fn flag_text_that_is_not_i_of_n_is_refused_with_the_forms() {
        let e = says("3".parse(), &["--shard `3`", "I/N", "slurm"]);
        assert_eq!(e, ShardError::NotIOfN { given: "3".into() });
        for (given, part) in [("a/2", 'I'), ("-1/2", 'I'), ("1/b", 'N'), ("1/2.5", 'N')] {
            let e = says(
                given.parse(),
                &[
                    &format!("--shard `{given}`"),
                    &format!("{part} is not a whole number"),
                    "I/N",
                ],
            );
            assert_eq!(
                e,
                ShardError::NotWholeNumber {
                    given: given.into(),
                    part
                }
            );
        }
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
    fn slurm_refuses_missing_and_malformed_variables() {
        let e = says(
            slurm(&[("SLURM_ARRAY_TASK_COUNT", "4")]),
            &[
                "--shard slurm",
                "SLURM_ARRAY_TASK_ID is not set",
                "--shard I/N",
            ],
        );
        assert_eq!(
            e,
            ShardError::SlurmUnset {
                name: "SLURM_ARRAY_TASK_ID"
            }
        );
        let e = says(
            slurm(&[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "x"),
            ]),
            &["SLURM_ARRAY_TASK_COUNT=`x`", "not a whole number"],
        );
        assert_eq!(
            e,
            ShardError::SlurmNotWholeNumber {
                name: "SLURM_ARRAY_TASK_COUNT",
                value: "x".into()
            }
        );
    }

    #[test]
    fn slurm_refuses_gapped_arrays_and_ids_outside_the_array() {
        // A step of 2, then a gap: ids 0..=9 but only 3 tasks.
        for (max, step, count, says_which) in [
            ("6", "2", "4", ["step 2", "--array=0-3"]),
            ("9", "1", "3", ["max 9", "--array=0-2"]),
        ] {
            let array = [
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", max),
                ("SLURM_ARRAY_TASK_STEP", step),
                ("SLURM_ARRAY_TASK_COUNT", count),
            ];
            let e = says(
                slurm(&array),
                &["not contiguous", says_which[0], says_which[1]],
            );
            assert_eq!(
                e,
                ShardError::SlurmNotContiguous {
                    min: 0,
                    max: max.parse().ok(),
                    step: step.parse().unwrap(),
                    count: count.parse().unwrap()
                }
            );
        }
        // Tasks of an array without MAX: id, first id, count.
        let task = |id, min, count| {
            slurm(&[
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", min),
                ("SLURM_ARRAY_TASK_COUNT", count),
            ])
        };
        let e = says(
            task("0", "1", "3"),
            &["SLURM_ARRAY_TASK_ID 0 < SLURM_ARRAY_TASK_MIN 1"],
        );
        assert_eq!(e, ShardError::SlurmIdBelowMin { id: 0, min: 1 });
        // Without MAX the id is checked against COUNT: 5 − 1 = 4 is no shard of 3.
        let e = says(
            task("5", "1", "3"),
            &[
                "SLURM_ARRAY_TASK_ID 5",
                "SLURM_ARRAY_TASK_COUNT 3",
                "shard 4/3",
                ALLOWED,
            ],
        );
        assert_eq!(
            e,
            ShardError::SlurmOutOfRange {
                id: 5,
                min: 1,
                count: 3
            }
        );
    }
}
