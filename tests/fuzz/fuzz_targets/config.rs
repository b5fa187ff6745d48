//! Fuzz target `config`: see `tests/fuzz/src/lib.rs` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| trustsite_fuzz::config(data));
