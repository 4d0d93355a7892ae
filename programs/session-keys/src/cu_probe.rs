//! Compute-unit probes on the use path, for `npm run bench:probes` only.
//!
//! Built with the feature `cu-probes`, `cu_probe!("label")` logs the label and
//! then the compute units left (`sol_log_compute_units`); the benchmark reads
//! the pairs and charges each label with the units spent since the previous
//! probe, less the probe's own cost (measured by two probes in a row, the
//! first pair of every run). Without the feature the macro expands to nothing,
//! so the deployed program carries no probe.

/// Marks the end of a measured part of the use path.
#[cfg(feature = "cu-probes")]
macro_rules! cu_probe {
    ($label:literal) => {
        $crate::cu_probe::probe($label)
    };
}
#[cfg(not(feature = "cu-probes"))]
macro_rules! cu_probe {
    ($label:literal) => {};
}
pub(crate) use cu_probe;

/// One probe: never inlined, so every probe costs the same.
#[cfg(feature = "cu-probes")]
#[inline(never)]
pub fn probe(label: &str) {
    // SAFETY: the syscalls read `label` (pointer, length) and nothing else.
    #[cfg(target_os = "solana")]
    unsafe {
        solana_define_syscall::definitions::sol_log_(label.as_ptr(), label.len() as u64);
        solana_define_syscall::definitions::sol_log_compute_units_();
    }
    #[cfg(not(target_os = "solana"))]
    let _ = label;
}
