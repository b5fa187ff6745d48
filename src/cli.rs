//! Command-line interface: the arguments (clap derive), parsed and
//! dispatched to one command of `cmd` as plain options. The top
//! layer: nothing imports from it; it decides nothing.
//!
//! Exit status (`term::Exit`): 0 success, 1 the command ran and found problems,
//! 2 it could not run.

use crate::cmd;
use crate::report::Format;
use crate::term::Exit;
use clap::{Args, Parser, Subcommand};
use jiff::civil::Date;
use std::path::PathBuf;

/// Markdown policies in, a static hash-stamped trust center out.
#[derive(Debug, Parser)]
#[command(name = "trustsite", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder, atomically.
    Build(BuildArgs),
    /// Validate everything a build would, plus review dates (the CI gate).
    Check(CheckArgs),
    /// Preview with live reload (never writes public/).
    Serve(ServeArgs),
    /// Re-hash a built site against its manifest.json.
    Verify(VerifyArgs),
    /// Create a new site.
    Init(InitArgs),
    /// Create a new document with complete front-matter.
    New(NewArgs),
    /// Tell which published document and version a file is (by SHA-256).
    Identify(IdentifyArgs),
}

/// Options shared by commands that read a site.
#[derive(Debug, Args, Clone)]
pub struct SiteArgs {
    /// Site root (the folder holding trust.yaml).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Pin "today" (YYYY-MM-DD) instead of the date in the site's time zone.
    #[arg(long, value_parser = parse_date)]
    pub today: Option<Date>,
}

/// `build` options.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Site options.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder (default: ROOT/public).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Override base_url (a sub-path works: https://example.com/trust/).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Keep highlighted code blocks, and the output this build replaces,
    /// in this folder: the next build reuses them (warm rebuild).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Sign manifest.json with this OpenSSH Ed25519 private key (writes
    /// manifest.json.sig; default: the key in TRUSTSITE_SIGNING_KEY, a path
    /// or the key text).
    #[arg(long, value_name = "PATH")]
    pub sign_key: Option<PathBuf>,
}

/// `check` options.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Site options.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Days before a due date that count as "due soon" (default: review.warn_days).
    #[arg(long)]
    pub warn_days: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Fail on warnings and due-soon reviews too.
    #[arg(long)]
    pub strict: bool,
    /// manifest.json of the published release, for change control.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Site options.
    #[command(flatten)]
    pub site: SiteArgs,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Port.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Show drafts (under a banner).
    #[arg(long)]
    pub drafts: bool,
    /// Show internal documents (under a banner).
    #[arg(long)]
    pub internal: bool,
    /// Poll for changes instead of native file events.
    #[arg(long)]
    pub poll: bool,
}

/// `verify` options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Built site folder.
    #[arg(default_value = "public")]
    pub dir: PathBuf,
    /// OpenSSH allowed_signers file: check manifest.json.sig against the
    /// keys it pins for the site's host before anything else.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Principal to look up in the allowed signers (default: the host of
    /// the manifest's base_url).
    #[arg(long, requires = "allowed_signers")]
    pub principal: Option<String>,
    /// Refuse a manifest built longer ago than this (e.g. 30d, 12h):
    /// protects against a mirror serving an old release.
    #[arg(long, value_name = "AGE", value_parser = crate::verify::parse_max_age)]
    pub max_age: Option<jiff::SignedDuration>,
}

/// `identify` options.
#[derive(Debug, Args)]
pub struct IdentifyArgs {
    /// The file to identify (e.g. a copy of a policy received under NDA).
    pub file: PathBuf,
    /// A site root (rendered in memory, with its git history) or a built
    /// output folder holding manifest.json (default: .).
    #[arg(long, conflicts_with = "manifest")]
    pub site: Option<PathBuf>,
    /// A copy of a site's manifest.json (download it first; no network).
    #[arg(long)]
    pub manifest: Option<PathBuf>,
}

/// `init` options.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the new site (must be empty or absent).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// `new` options.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Path of the new document, e.g. content/policies/backup.md.
    pub path: PathBuf,
    /// Title.
    #[arg(long)]
    pub title: String,
    /// Site root.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Visibility of the new document.
    #[arg(long, default_value = "internal")]
    pub visibility: String,
    /// Pin "today" (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<Date>,
}

fn parse_date(s: &str) -> Result<Date, String> {
    crate::review::parse_date(s)
}

/// Runs a command and returns its exit status.
pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Build(a) => cmd::build::run(&cmd::build::Options {
            root: a.site.root,
            today: a.site.today,
            output: a.output,
            base_url: a.base_url,
            cache: a.cache,
            sign_key: a.sign_key,
        }),
        Command::Check(a) => cmd::check::run(&cmd::check::Options {
            root: a.site.root,
            today: a.site.today,
            warn_days: a.warn_days,
            format: a.format,
            strict: a.strict,
            baseline: a.baseline,
        }),
        Command::Serve(a) => cmd::serve::run(&crate::serve::Options {
            root: a.site.root,
            bind: a.bind,
            port: a.port,
            drafts: a.drafts,
            internal: a.internal,
            poll: a.poll,
            today: a.site.today,
        }),
        Command::Verify(a) => cmd::verify::run(&cmd::verify::Options {
            dir: a.dir,
            allowed_signers: a.allowed_signers,
            principal: a.principal,
            max_age: a.max_age,
        }),
        Command::Init(a) => cmd::init::run(&a.dir),
        Command::New(a) => cmd::new::run(
            &crate::scaffold::document::NewOptions {
                path: a.path,
                title: a.title,
                root: a.root,
                visibility: a.visibility,
            },
            a.today,
        ),
        Command::Identify(a) => cmd::identify::run(&cmd::identify::Options {
            file: a.file,
            site: a.site,
            manifest: a.manifest,
        }),
    }
}
