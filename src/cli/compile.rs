//! `mf-windmill compile flow.py [-o FILE] [--format json|yaml|wmill] ...`: check a flow
//! (refusing on any error, printed like `check`), then emit Windmill OpenFlow.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::diag::Severity;
use crate::diag::render::{self, Summary};
use crate::emit::{self, CompileOptions, Compiled};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// The OpenFlow document as JSON.
    Json,
    /// The OpenFlow document as YAML.
    Yaml,
    /// The folder layout Windmill's CLI syncs: `f/<folder>/<name>__flow/flow.yaml` (+
    /// `<name>.schedule.yaml`), written under the `-o` directory.
    Wmill,
}

/// Options shared by `compile` and `run`.
#[derive(Debug, Clone, Args)]
pub struct CompileFlags {
    /// The flow file.
    pub flow: PathBuf,
    /// Which flow of the file (when it defines several).
    #[arg(long = "flow", value_name = "NAME")]
    pub flow_name: Option<String>,
    /// Parallelism of every foreach (Windmill's per-loop `parallelism`); 10 as in the
    /// existing metaflow-windmill plugin users know.
    #[arg(long, default_value_t = 10)]
    pub max_workers: u32,
    /// Largest foreach cardinality accepted (Metaflow's --max-num-splits).
    #[arg(long, default_value_t = 100)]
    pub max_num_splits: u32,
    /// Largest compiled flow accepted, in bytes (0 = no limit).
    #[arg(long, default_value_t = 2 * 1024 * 1024)]
    pub max_flow_bytes: usize,
    /// More file suffixes for the code package, comma-separated (e.g. `.csv,.json`), added
    /// to Metaflow's `.py,.R,.RDS` as Metaflow's own --package-suffixes: every file under
    /// the flow's directory with one of them is shipped.
    #[arg(long, value_name = "SUFFIXES")]
    pub package_suffixes: Option<String>,
    /// Set by commands that only address an already deployed flow (`trigger`, ...): the
    /// code package is not walked (only the flow file is bundled), since nothing is sent.
    #[arg(skip)]
    pub address_only: bool,
    /// @project branch (`test.<B>`, or `prod.<B>` with --production).
    #[arg(long, conflicts_with = "production")]
    pub branch: Option<String>,
    /// @project production deployment.
    #[arg(long)]
    pub production: bool,
    /// Tag every run (repeatable; passed to `init` and `step`).
    #[arg(long = "tag", value_name = "T")]
    pub tags: Vec<String>,
    /// Add a step decorator to every step, as Metaflow's `--with` (repeatable; forwarded on
    /// `init` and `step`).
    #[arg(long = "with", value_name = "SPEC")]
    pub with: Vec<String>,
    /// Metaflow namespace of the steps (`step --namespace`).
    #[arg(long)]
    pub namespace: Option<String>,
    /// Metaflow's datastore for the steps, as Metaflow's own `--datastore` (local, s3,
    /// azure, gs; default: METAFLOW_DEFAULT_DATASTORE, else local). Workers on other
    /// machines need a shared one: s3 with METAFLOW_DATASTORE_SYSROOT_S3.
    #[arg(long, value_name = "TYPE")]
    pub datastore: Option<String>,
    /// Metaflow's metadata provider for the steps, as Metaflow's own `--metadata` (local,
    /// service; default: METAFLOW_DEFAULT_METADATA, else local); `service` reads
    /// METAFLOW_SERVICE_URL.
    #[arg(long, value_name = "TYPE")]
    pub metadata: Option<String>,
    /// Datastore root: for the local datastore an absolute path shared by all workers
    /// (default: $METAFLOW_DATASTORE_SYSROOT_LOCAL/.metaflow); for another datastore its
    /// root (default: METAFLOW_DATASTORE_SYSROOT_<TYPE>).
    #[arg(long)]
    pub datastore_root: Option<PathBuf>,
    /// Python interpreter on the workers.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// The deploying user (METAFLOW_USER of every step; default $USERNAME or $USER).
    #[arg(long)]
    pub user: Option<String>,
    /// Windmill folder of the flow's path (`f/<folder>/<name>`).
    #[arg(long, default_value = "metaflow")]
    pub folder: String,
    /// What Metaflow itself sees of the flow (decorator attributes, parameter defaults,
    /// configs, settings), as JSON written by the Metaflow extension (`python flow.py
    /// windmill create`); laid over the static reading before checking and compiling.
    /// Contract: docs/metaflow-resolved.md.
    #[arg(long, value_name = "FILE", hide = true)]
    pub metaflow_resolved: Option<PathBuf>,
    /// Route steps to Windmill worker groups by their @resources: a JSON array of rules
    /// tried in order, e.g. `[{"tag": "gpu", "gpu": 1}, {"tag": "highmem", "memory":
    /// 32768}]` (inline, or a file holding it); a step whose @resources meets every
    /// threshold of a rule runs on workers serving that rule's tag.
    #[arg(long, value_name = "JSON|FILE")]
    pub worker_tag_map: Option<String>,
    /// Run step STEP on Windmill workers serving worker tag TAG (repeatable; wins over
    /// --worker-tag-map).
    #[arg(long = "worker-tag", value_name = "STEP=TAG")]
    pub worker_tags: Vec<String>,
}

impl CompileFlags {
    /// The environment the flow is compiled in: this process's, with `--datastore` and
    /// `--metadata` as the `METAFLOW_DEFAULT_*` settings they override (as Metaflow's
    /// top-level options override them).
    pub fn compile_env(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = std::env::vars().collect();
        for (key, value) in [
            ("METAFLOW_DEFAULT_DATASTORE", &self.datastore),
            ("METAFLOW_DEFAULT_METADATA", &self.metadata),
        ] {
            if let Some(v) = value {
                env.retain(|(k, _)| k != key);
                env.push((key.to_string(), v.clone()));
            }
        }
        env
    }
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    /// Output file (a directory with --format wmill); stdout if absent.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutFormat::Json)]
    pub format: OutFormat,
    #[command(flatten)]
    pub worker_check: super::worker_check::WorkerCheck,
}

/// Check and compile; diagnostics and errors go to stderr. `Err(exit code)`.
pub fn compile_flags(f: &CompileFlags) -> Result<Compiled, i32> {
    let display = f.flow.display().to_string();
    let routing = match emit::decorators::resources::Routing::resolve(
        f.worker_tag_map.as_deref(),
        &f.worker_tags,
    ) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mf-windmill: error: {e}");
            return Err(2);
        }
    };
    let resolved = match &f.metaflow_resolved {
        Some(p) => match crate::parse::resolved::Resolved::load(p) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!(
                    "mf-windmill: error: --metaflow-resolved {}: {e}",
                    p.display()
                );
                return Err(2);
            }
        },
        None => None,
    };
    let mut file = match crate::parse::read_flow_file(&f.flow, &display) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("mf-windmill: error: {display}: {e}");
            return Err(2);
        }
    };
    if let Some(r) = &resolved {
        if let Some(n) = &f.flow_name
            && n != &r.flow
        {
            eprintln!(
                "mf-windmill: error: --flow {n}, but the --metaflow-resolved file is for flow {}",
                r.flow
            );
            return Err(2);
        }
        let Some(flow) = file.flows.iter_mut().find(|x| x.name == r.flow) else {
            eprintln!(
                "mf-windmill: error: {display} has no flow named {} (the flow of the --metaflow-resolved file)",
                r.flow
            );
            return Err(2);
        };
        match r.apply(flow, &f.with) {
            Ok(warnings) => {
                for w in warnings {
                    eprintln!("mf-windmill: warning: {display}: {w}");
                }
            }
            Err(errs) => {
                for e in errs {
                    eprintln!("mf-windmill: error: {display}: {e}");
                }
                return Err(1);
            }
        }
    }
    let mut diags = crate::graph::check_file(&file);
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    if !diags.is_empty() {
        let summary = Summary {
            files: 1,
            flows: file.flows.len(),
        };
        let stderr = std::io::stderr();
        let _ = render::write(
            &mut stderr.lock(),
            render::Format::Human,
            &diags,
            summary,
            false,
        );
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        eprintln!("mf-windmill: error: {display}: not compiled (errors above)");
        return Err(1);
    }
    let flow_name = f
        .flow_name
        .clone()
        .or_else(|| resolved.as_ref().map(|r| r.flow.clone()));
    let flow = match (&flow_name, file.flows.len()) {
        (_, 0) => {
            eprintln!("mf-windmill: error: {display}: no FlowSpec subclass found");
            return Err(1);
        }
        (None, 1) => &file.flows[0],
        (None, _) => {
            let names: Vec<&str> = file.flows.iter().map(|f| f.name.as_str()).collect();
            eprintln!(
                "mf-windmill: error: {display} defines several flows ({}); choose one with --flow NAME",
                names.join(", ")
            );
            return Err(2);
        }
        (Some(n), _) => match file.flows.iter().find(|x| &x.name == n) {
            Some(x) => x,
            None => {
                eprintln!("mf-windmill: error: {display} has no flow named {n}");
                return Err(2);
            }
        },
    };
    if let Some(r) = &resolved
        && let Err(e) = r.check_graph(&crate::graph::FlowGraph::new(flow))
    {
        eprintln!("mf-windmill: error: {display}: {e}");
        return Err(1);
    }
    let env = f.compile_env();
    let user = f.user.clone().unwrap_or_else(|| {
        ["METAFLOW_USER", "USERNAME", "USER"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_default()
    });
    let datastore_root = match &f.datastore_root {
        Some(p) if p.is_relative() => std::env::current_dir().ok().map(|d| d.join(p)),
        other => other.clone(),
    };
    let opts = CompileOptions {
        flow_file: f.flow.clone(),
        max_workers: f.max_workers,
        max_num_splits: f.max_num_splits,
        max_flow_bytes: f.max_flow_bytes,
        package_suffixes: if f.address_only {
            Vec::new()
        } else {
            crate::emit::bundle::package_suffixes(f.package_suffixes.as_deref())
        },
        branch: f.branch.clone(),
        production: f.production,
        tags: f.tags.clone(),
        with: f.with.clone(),
        namespace: f.namespace.clone(),
        datastore_root,
        python: f.python.clone(),
        user,
        folder: f.folder.clone(),
        env,
        routing,
    };
    let overlay = resolved
        .as_ref()
        .map(crate::parse::resolved::Resolved::emit_overlay);
    match emit::compile_with(flow, &opts, overlay.as_ref()) {
        Ok(c) => {
            for w in &c.warnings {
                eprintln!("mf-windmill: warning: {w}");
            }
            Ok(c)
        }
        Err(errs) => {
            for e in errs {
                eprintln!("mf-windmill: error: {display}: {e}");
            }
            Err(1)
        }
    }
}

pub fn run(args: CompileArgs) -> i32 {
    let c = match compile_flags(&args.flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Err(code) = args.worker_check.apply(&c, &args.flags.flow) {
        return code;
    }
    match args.format {
        OutFormat::Wmill => {
            let Some(dir) = &args.output else {
                eprintln!("mf-windmill: error: --format wmill needs -o DIR");
                return 2;
            };
            let files = match emit::wmill_files(&c) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("mf-windmill: error: {e}");
                    return 1;
                }
            };
            for (rel, text) in files {
                let p = dir.join(&rel);
                if let Some(parent) = p.parent()
                    && let Err(e) = std::fs::create_dir_all(parent)
                {
                    eprintln!(
                        "mf-windmill: error: cannot create {}: {e}",
                        parent.display()
                    );
                    return 2;
                }
                if let Err(e) = std::fs::write(&p, text) {
                    eprintln!("mf-windmill: error: cannot write {}: {e}", p.display());
                    return 2;
                }
                eprintln!("wrote {}", p.display());
            }
            0
        }
        fmt => {
            let res = match &args.output {
                Some(p) => std::fs::File::create(p).and_then(|f| {
                    let mut w = std::io::BufWriter::new(f);
                    write_format(&c, fmt, &mut w)?;
                    w.flush()
                }),
                None => {
                    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
                    write_format(&c, fmt, &mut w).and_then(|()| w.flush())
                }
            };
            match res {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => {
                    let what = args
                        .output
                        .as_ref()
                        .map_or("stdout".to_string(), |p| p.display().to_string());
                    eprintln!("mf-windmill: error: cannot write {what}: {e}");
                    return 2;
                }
            }
            if c.schedule.is_some() && fmt != OutFormat::Wmill {
                eprintln!(
                    "mf-windmill: note: the flow's @schedule is written by --format wmill ({}.schedule.yaml)",
                    c.path
                );
            }
            0
        }
    }
}

fn write_format(c: &Compiled, fmt: OutFormat, w: &mut impl Write) -> std::io::Result<()> {
    if fmt == OutFormat::Json {
        emit::write_json(c, w)
    } else {
        serde_yaml::to_writer(&mut *w, &c.openflow).map_err(std::io::Error::other)
    }
}
