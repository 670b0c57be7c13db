//! Who made a results folder, on what and when: `provenance.json` (one entry per `run` or `merge`
//! that wrote into the folder) and `scenario.toml`, the scenario file as written. The report shows
//! them; they are read from the folder, so `labelnoise report DIR` rebuilds the same page.

use super::layout::{io, write_atomic, StoreError};
use crate::train::objective::{Arithmetic, Kernel};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const PROVENANCE: &str = "provenance.json";
/// The scenario file as written, copied when a run starts.
pub const SCENARIO_COPY: &str = "scenario.toml";

/// One command that wrote into the folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// The command line, arguments separated by spaces (quoted when they hold one).
    pub command: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: String,
    pub host: String,
    /// Operating system, architecture and cores.
    pub machine: String,
    pub version: String,
    pub build: String,
    /// The evaluation kernel of a `run` ([`Kernel`]: `LABELNOISE_KERNEL`'s or the CPU's
    /// fastest) and its arithmetic; absent for `merge` and in older folders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arithmetic: Option<Arithmetic>,
}

#[derive(Default, Serialize, Deserialize)]
struct File {
    invocations: Vec<Invocation>,
}

/// The invocations recorded in `dir`, oldest first (none when the folder has no such file).
pub fn read(dir: &Path) -> Vec<Invocation> {
    std::fs::read_to_string(dir.join(PROVENANCE))
        .ok()
        .and_then(|t| serde_json::from_str::<File>(&t).ok())
        .map(|f| f.invocations)
        .unwrap_or_default()
}

/// Appends this process's invocation (with the kernel its runs use, if it trains) to `dir`'s
/// provenance and, when given, stores the scenario text as `scenario.toml`.
pub fn record(
    dir: &Path,
    scenario_text: Option<&str>,
    kernel: Option<Kernel>,
) -> Result<(), StoreError> {
    let mut file = File {
        invocations: read(dir),
    };
    file.invocations.push(Invocation::now(kernel));
    let text = serde_json::to_string_pretty(&file).expect("serializes") + "\n";
    write_atomic(&dir.join(PROVENANCE), text.as_bytes())?;
    if let Some(t) = scenario_text {
        write_atomic(&dir.join(SCENARIO_COPY), t.as_bytes())?;
    }
    Ok(())
}

/// Copies `scenario.toml` from `from` to `to` when `from` has one (merge keeps the shards' copy).
pub fn copy_scenario(from: &Path, to: &Path) -> Result<(), StoreError> {
    match std::fs::read(from.join(SCENARIO_COPY)) {
        Ok(bytes) => write_atomic(&to.join(SCENARIO_COPY), &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(&from.join(SCENARIO_COPY))(e)),
    }
}

impl Invocation {
    fn now(kernel: Option<Kernel>) -> Invocation {
        let command: Vec<String> = std::env::args()
            .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
            .collect();
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Invocation {
            command: command.join(" "),
            date: utc_date(seconds),
            host: host(),
            machine: format!(
                "{} {}, {} cores",
                std::env::consts::OS,
                std::env::consts::ARCH,
                std::thread::available_parallelism().map_or(1, |n| n.get())
            ),
            version: crate::VERSION.to_string(),
            build: super::build::id().to_string(),
            kernel: kernel.map(|k| k.name().to_string()),
            arithmetic: kernel.map(Kernel::arithmetic),
        }
    }
}

fn host() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// `YYYY-MM-DDTHH:MM:SSZ` of Unix time `secs` (civil-from-days, proleptic Gregorian calendar).
fn utc_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc_date;

    /// Dates checked against `date -u -d @SECONDS`.
    #[test]
    fn unix_seconds_become_utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_date(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_date(1_796_170_199), "2026-12-02T00:09:59Z");
    }
}
