//! CLI cases as data (`tests/cmd/*.toml`, run by `trycmd`): arguments, exit
//! code and the exact stdout/stderr of `check` in every `--format` (on
//! `tests/fixtures/broken` and on an invalid `trust.yaml`), and of the
//! could-not-run cases. After an intended change of output, regenerate the
//! expected files with `TRYCMD=overwrite cargo test --test it cli_cases`
//! and review them with `git diff tests/cmd`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin(
            "trustsite",
            std::path::Path::new(env!("CARGO_BIN_EXE_trustsite")),
        )
        .case("tests/cmd/*.toml");
}
