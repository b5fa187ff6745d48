//! `serve`: preview server (being written).
/// Runs the preview server.
pub fn run(_args: &crate::cli::ServeArgs) -> u8 {
    eprintln!("error: serve is not available in this build yet");
    crate::cli::CANNOT_RUN
}
