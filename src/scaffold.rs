//! `init` and `new` (being written).
/// `trustsite init`.
pub fn init(_args: &crate::cli::InitArgs) -> u8 {
    eprintln!("error: init is not available in this build yet");
    crate::cli::CANNOT_RUN
}
/// `trustsite new`.
pub fn new(_args: &crate::cli::NewArgs) -> u8 {
    eprintln!("error: new is not available in this build yet");
    crate::cli::CANNOT_RUN
}
