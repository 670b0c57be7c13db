//! Which kernel a process's runs use (`LABELNOISE_KERNEL`, read and checked once) and the
//! arithmetic its results are made with, which results folders record.

use super::Kernel;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The environment variable that pins the kernel of a process's runs.
pub const KERNEL_VAR: &str = "LABELNOISE_KERNEL";

/// How a kernel computes a·b + c: rounded once (fused: the portable, avx2 and avx512 kernels, all
/// with the same bits), or rounded after the multiply and after the add (the unfused kernel). The
/// two give results that differ in the last digits, so one results folder holds one of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arithmetic {
    #[default]
    Fused,
    Unfused,
}

impl Arithmetic {
    pub fn name(self) -> &'static str {
        match self {
            Arithmetic::Fused => "fused",
            Arithmetic::Unfused => "unfused",
        }
    }

    pub fn is_fused(&self) -> bool {
        *self == Arithmetic::Fused
    }

    /// The setting that gives this arithmetic on this CPU: `LABELNOISE_KERNEL=` the fastest kernel
    /// with it (every CPU runs both: portable is fused, unfused is unfused).
    pub fn pin_hint(self) -> String {
        let kernel = Kernel::available_with(self)
            .pop()
            .unwrap_or(Kernel::Portable);
        format!("{KERNEL_VAR}={}", kernel.name())
    }
}

/// A `LABELNOISE_KERNEL` setting that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KernelChoiceError {
    #[error("{KERNEL_VAR}={given:?} is not a kernel; allowed: auto (the fastest for this CPU), {}", names(&Kernel::ALL))]
    Unknown { given: String },
    #[error("{KERNEL_VAR}={given}: this CPU does not run the {given} kernel; it runs {runs} (auto picks {auto})")]
    Unavailable {
        given: String,
        runs: String,
        auto: &'static str,
    },
}

fn names(kernels: &[Kernel]) -> String {
    let names: Vec<&str> = kernels.iter().map(|k| k.name()).collect();
    names.join(", ")
}

impl Kernel {
    /// Every kernel, in the order [`Kernel::available`] lists those a CPU runs.
    pub const ALL: [Kernel; 4] = [
        Kernel::Portable,
        Kernel::Unfused,
        Kernel::Avx2,
        Kernel::Avx512,
    ];

    pub fn from_name(name: &str) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kernels of [`Kernel::available`] with this arithmetic.
    pub fn available_with(arithmetic: Arithmetic) -> Vec<Kernel> {
        let mut v = Kernel::available();
        v.retain(|k| k.arithmetic() == arithmetic);
        v
    }

    pub fn arithmetic(self) -> Arithmetic {
        match self {
            Kernel::Unfused => Arithmetic::Unfused,
            _ => Arithmetic::Fused,
        }
    }

    /// The kernel a `LABELNOISE_KERNEL` setting names on a CPU that runs `available` and whose
    /// default is `auto`: unset, empty or `auto` is the default.
    pub fn choose(
        setting: Option<&str>,
        available: &[Kernel],
        auto: Kernel,
    ) -> Result<Kernel, KernelChoiceError> {
        let given = match setting.map(str::trim) {
            None | Some("") | Some("auto") => return Ok(auto),
            Some(name) => name,
        };
        match Kernel::from_name(given) {
            None => Err(KernelChoiceError::Unknown {
                given: given.to_string(),
            }),
            Some(k) if !available.contains(&k) => Err(KernelChoiceError::Unavailable {
                given: given.to_string(),
                runs: names(available),
                auto: auto.name(),
            }),
            Some(k) => Ok(k),
        }
    }

    /// The kernel of this process's runs: `LABELNOISE_KERNEL`'s, or [`Kernel::detect`]'s, read
    /// and checked once. Commands that train call it first and stop on its error.
    pub fn configured() -> Result<Kernel, KernelChoiceError> {
        static CHOSEN: OnceLock<Result<Kernel, KernelChoiceError>> = OnceLock::new();
        CHOSEN
            .get_or_init(|| {
                let setting =
                    std::env::var_os(KERNEL_VAR).map(|v| v.to_string_lossy().into_owned());
                Kernel::choose(setting.as_deref(), &Kernel::available(), Kernel::detect())
            })
            .clone()
    }

    /// [`Kernel::configured`], or [`Kernel::detect`] when the setting is unusable: what a new
    /// objective and a results folder's records use (the commands have refused a bad setting
    /// before; a library caller that did not ask gets the default rather than a panic).
    pub fn for_runs() -> Kernel {
        Kernel::configured().unwrap_or_else(|_| Kernel::detect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_names_an_available_kernel_or_gets_an_error_listing_the_choices() {
        let cpu = [Kernel::Portable, Kernel::Unfused];
        let auto = Kernel::Unfused;
        for unset in [None, Some(""), Some("auto"), Some(" auto ")] {
            assert_eq!(Kernel::choose(unset, &cpu, auto), Ok(auto));
        }
        assert_eq!(
            Kernel::choose(Some("portable"), &cpu, auto),
            Ok(Kernel::Portable)
        );
        let unknown = Kernel::choose(Some("sse2"), &cpu, auto).unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "LABELNOISE_KERNEL=\"sse2\" is not a kernel; allowed: auto (the fastest for this CPU), portable, unfused, avx2, avx512"
        );
        let missing = Kernel::choose(Some("avx512"), &cpu, auto).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "LABELNOISE_KERNEL=avx512: this CPU does not run the avx512 kernel; it runs portable, unfused (auto picks unfused)"
        );
    }

    #[test]
    fn every_kernel_has_a_unique_name_and_one_arithmetic() {
        for k in Kernel::ALL {
            assert_eq!(Kernel::from_name(k.name()), Some(k));
            let unfused = k == Kernel::Unfused;
            assert_eq!(k.arithmetic() == Arithmetic::Unfused, unfused);
        }
        assert!(Kernel::available().starts_with(&[Kernel::Portable, Kernel::Unfused]));
        assert_eq!(Kernel::from_name("auto"), None);
    }
}
