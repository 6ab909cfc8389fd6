//! `mf-windmill check PATH...`: read flows statically and report Metaflow's lint errors
//! and what Windmill cannot honour.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::walk::{self, Target};
use crate::diag::render::{self, Format, Summary};
use crate::diag::{Code, Diagnostic, Severity};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Flow files or directories (directories are walked, honouring .gitignore; files
    /// without a FlowSpec there are skipped).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Do not report named files that define no flow (for pre-commit, which passes every
    /// changed Python file).
    #[arg(long)]
    pub allow_no_flow: bool,
    /// Exit 1 on warnings too, not only on errors.
    #[arg(long)]
    pub strict: bool,
    /// Colour in human output: auto (when stdout is a terminal), always, never.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Everything `check` needs, resolved from the arguments before any work.
struct Config {
    targets: Vec<Target>,
    path_errors: Vec<String>,
    format: Format,
    allow_no_flow: bool,
    strict: bool,
    color: bool,
}

impl Config {
    fn resolve(args: CheckArgs) -> Config {
        let (targets, path_errors) = walk::expand(&args.paths);
        let color = match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Config {
            targets,
            path_errors,
            format: args.format,
            allow_no_flow: args.allow_no_flow,
            strict: args.strict,
            color,
        }
    }
}

/// The result of checking one file.
struct FileResult {
    diagnostics: Vec<Diagnostic>,
    flows: usize,
    io_error: Option<String>,
}

fn check_target(t: &Target, allow_no_flow: bool) -> FileResult {
    let file = match crate::parse::read_flow_file(&t.path, &t.display) {
        Ok(f) => f,
        Err(e) => {
            return FileResult {
                diagnostics: Vec::new(),
                flows: 0,
                io_error: Some(format!("{}: {e}", t.display)),
            };
        }
    };
    let mut diagnostics = crate::graph::check_file(&file);
    if !t.explicit && !file.flows.is_empty() && file.flows.iter().all(|f| !f.runnable) {
        // A module of base classes found by a directory walk: checked through the flows
        // that import it, not on its own (it has no start or end of its own).
        return FileResult {
            flows: 0,
            diagnostics: file.diagnostics.clone(),
            io_error: None,
        };
    }
    if file.flows.is_empty() {
        if !t.explicit {
            // In a directory walk only files that are flows (or that fail to parse while
            // looking like one) are reported.
            let looks_like_flow = file.source.text().contains("FlowSpec");
            if !looks_like_flow {
                diagnostics.clear();
            }
        } else if !allow_no_flow && diagnostics.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    Code::NoFlow,
                    "No FlowSpec subclass is defined in this file; nothing to check.",
                )
                .in_file(&file.source),
            );
        }
    }
    FileResult {
        flows: file.flows.len(),
        diagnostics,
        io_error: None,
    }
}

/// Check files on all cores; results keep the input order. Every file is checked on a
/// thread with a large stack (see [`crate::parse::PARSE_STACK`]).
fn check_all(targets: &[Target], allow_no_flow: bool) -> Vec<FileResult> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(targets.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<FileResult>> = (0..targets.len()).map(|_| None).collect();
    let chunks: Vec<Vec<(usize, FileResult)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(crate::parse::PARSE_STACK)
                    .spawn_scoped(s, || {
                        let mut mine = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(t) = targets.get(i) else { break };
                            mine.push((i, check_target(t, allow_no_flow)));
                        }
                        mine
                    })
                    .ok()
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (i, r) in chunks.into_iter().flatten() {
        results[i] = Some(r);
    }
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or(FileResult {
                diagnostics: Vec::new(),
                flows: 0,
                io_error: Some("internal error: a checker thread failed".into()),
            })
        })
        .collect()
}

pub fn run(args: CheckArgs) -> i32 {
    let cfg = Config::resolve(args);
    let results = check_all(&cfg.targets, cfg.allow_no_flow);
    let mut io_errors = cfg.path_errors.clone();
    let mut diags = Vec::new();
    let mut summary = Summary::default();
    for r in results {
        if let Some(e) = r.io_error {
            io_errors.push(e);
            continue;
        }
        summary.files += 1;
        summary.flows += r.flows;
        diags.extend(r.diagnostics);
    }
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Err(e) = render::write(&mut out, cfg.format, &diags, summary, cfg.color)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("mf-windmill: cannot write output: {e}");
        return 2;
    }
    let _ = out.flush();
    for e in &io_errors {
        eprintln!("mf-windmill: error: {e}");
    }
    if !io_errors.is_empty() {
        return 2;
    }
    let failing = diags
        .iter()
        .any(|d| d.severity == Severity::Error || (cfg.strict && d.severity == Severity::Warning));
    i32::from(failing)
}
