//! Emitter: a checked Metaflow flow → Windmill OpenFlow (`docs/emitter-design.md`).
//!
//! [`compile`] walks the graph once and produces one bash `rawscript` module per step
//! (built by [`script::StepScript`], the only script builder), `branchall` for static
//! splits, parallel `forloopflow` for foreach, `branchone` for switches and
//! `whileloopflow` for recursive switches. Each step module carries a static plan and the
//! small bootstrap (`runtime/_mfwm/boot.py`); only the start step carries the code bundle,
//! which it stores in the flow's datastore for every other step (see [`script`]). The
//! bundled runner (`runtime/_mfwm/runner.py`) does the step's work.

pub mod bundle;
pub mod decorators;
pub mod openflow;
pub mod params;
pub mod project;
pub mod resume;
pub mod script;
pub mod worker_settings;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::graph::FlowGraph;
use crate::graph::analysis::{self, Structure};
use crate::parse::model::{Flow, Step, Transition};
use decorators::Decorations;
use openflow::*;
use script::{InputPlan, STEP_ARGS, StepPlan, StepScript};

pub use crate::parse::METAFLOW_VERSION;
use crate::parse::settings;
/// `metaflow_config.MAX_ATTEMPTS`.
pub const MAX_ATTEMPTS: u32 = 6;

/// Everything `compile` needs besides the flow.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    pub flow_file: PathBuf,
    pub max_workers: u32,
    pub max_num_splits: u32,
    /// Largest compiled flow accepted, in bytes (0 = no limit). The code bundle travels
    /// once (in the start step); every step adds its plan and the ~3 KB bootstrap.
    pub max_flow_bytes: usize,
    /// The code package's file suffixes (Metaflow's defaults plus `--package-suffixes`,
    /// resolved once by [`bundle::package_suffixes`]); empty: the flow file alone.
    pub package_suffixes: Vec<String>,
    pub branch: Option<String>,
    pub production: bool,
    pub tags: Vec<String>,
    /// `--with SPEC` decorators added to every step (forwarded on `init` and `step`).
    pub with: Vec<String>,
    pub namespace: Option<String>,
    pub datastore_root: Option<PathBuf>,
    pub python: String,
    /// The deploying user (METAFLOW_USER / METAFLOW_OWNER of every step).
    pub user: String,
    pub folder: String,
    /// The compile environment (`METAFLOW_*`, `HOME`, `METAFLOW_HOME`, ...).
    pub env: Vec<(String, String)>,
    /// Which steps run on which Windmill worker tags (`--worker-tag-map`, `--worker-tag`).
    pub routing: decorators::resources::Routing,
}

/// A compiled flow.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub openflow: OpenFlow,
    /// Windmill path (`f/<folder>/<name>`).
    pub path: String,
    /// The Metaflow flow name (the class name) and, with @project, the project flow name.
    pub flow_name: String,
    pub project_flow_name: Option<String>,
    pub schedule: Option<Value>,
    pub warnings: Vec<String>,
    pub bundle_sha256: String,
    pub bundle_files: Vec<String>,
    /// What the flow listens to (@trigger/@trigger_on_finish): its event registry entries.
    pub listeners: Vec<decorators::triggers::Listener>,
    /// The Metaflow settings compiled in (what every worker receives; no secrets).
    pub settings: settings::Settings,
}

#[derive(Clone)]
enum Frame {
    Foreach,
    While,
}

/// Module id of a step (`failure` and `preprocessor` are reserved ids in Windmill).
pub fn step_id(step: &str) -> String {
    match step {
        "failure" | "preprocessor" => format!("s_{step}"),
        s => s.to_string(),
    }
}

fn index_path_transform(frames: &[Frame]) -> InputTransform {
    if frames.is_empty() {
        return InputTransform::empty();
    }
    let n = frames.len();
    let segs: Vec<String> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let var = format!("flow_input.iter{}.index", "_parent".repeat(n - 1 - i));
            match f {
                Frame::Foreach => var,
                Frame::While => format!("\"w\" + {var}"),
            }
        })
        .collect();
    InputTransform::js(format!("[{}].join(\"-\")", segs.join(", ")))
}

fn js_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

struct Emitter<'a> {
    g: &'a FlowGraph<'a>,
    st: Structure,
    opts: &'a CompileOptions,
    settings: settings::Settings,
    bundle_b64: String,
    bundle_sha: String,
    flow_rel: String,
    start_id: String,
    /// `t<k>` of every step (design §4.1).
    task_prefix: HashMap<String, String>,
    params_expr: String,
    plan_params: Vec<script::PlanParam>,
    top_extra: Vec<String>,
    /// The flow listens to events (`decorators::triggers`).
    triggered: bool,
    warnings: Vec<String>,
    errors: Vec<String>,
    visited: HashSet<String>,
}

fn is_recursive(s: &Step) -> bool {
    s.next.transition == Some(Transition::SplitSwitch) && s.next.out_funcs.contains(&s.name)
}

impl<'a> Emitter<'a> {
    fn step(&self, name: &str) -> &'a Step {
        self.g.get(name).expect("step of a checked graph").step
    }

    /// Retry, timeout, environment of a step (each decorator's lowering is in
    /// [`decorators`]).
    fn decorations(&mut self, s: &Step) -> Decorations {
        decorators::lower(
            s,
            &self.opts.routing,
            &mut decorators::Report {
                warnings: &mut self.warnings,
                errors: &mut self.errors,
            },
        )
    }

    fn step_module(
        &mut self,
        name: &str,
        input: InputPlan,
        input_ref: InputTransform,
        frames: &[Frame],
        in_loop: bool,
    ) -> FlowModule {
        if !self.visited.insert(name.to_string()) {
            self.errors.push(format!(
                "internal error: step {name} would be emitted twice (unsupported graph shape)"
            ));
        }
        let s = self.step(name);
        let node = self.g.get(name).expect("node");
        let Decorations {
            user_retries: user,
            attempts,
            retry_seconds: seconds,
            timeout,
            mut env,
            notes,
        } = self.decorations(s);
        for (k, v) in &self.settings.env {
            env.entry(k.clone())
                .or_insert_with(|| Value::String(v.clone()));
        }
        for k in ["METAFLOW_USER", "METAFLOW_OWNER", "USERNAME"] {
            env.insert(k.into(), Value::String(self.opts.user.clone()));
        }
        let is_start = self.g.start().map(|n| n.name) == Some(name);
        let mut top = self.settings.top_level();
        top.extend(self.top_extra.iter().cloned());
        let init_top = top.clone();
        top.extend(["--with".to_string(), "windmill_internal".to_string()]);
        let node_type = match s.next.transition {
            Some(Transition::Foreach) => "foreach",
            Some(Transition::SplitSwitch) => "split-switch",
            _ => node.node_type.map_or("linear", |t| t.as_str()),
        };
        let mut task_prefixes = std::collections::BTreeMap::new();
        for st in std::iter::once(name).chain(input.pred()) {
            if let Some(p) = self.task_prefix.get(st) {
                task_prefixes.insert(st.to_string(), p.clone());
            }
        }
        let plan = StepPlan {
            v: 1,
            flow: self.g.flow.name.clone(),
            flow_file: self.flow_rel.clone(),
            step: name.to_string(),
            is_start,
            triggered: self.triggered,
            node_type: node_type.to_string(),
            bundle_sha256: self.bundle_sha.clone(),
            metaflow_version: METAFLOW_VERSION.to_string(),
            top,
            init_top,
            input,
            task_prefixes,
            in_loop,
            user_retries: user,
            attempts,
            env,
            tags: self.opts.tags.clone(),
            namespace: self.opts.namespace.clone(),
            max_num_splits: self.opts.max_num_splits,
            datastore: self.settings.datastore.clone(),
            datastore_root: self.settings.datastore_root.clone(),
            local_root: self.settings.local_root.clone(),
            params: if is_start {
                self.plan_params.clone()
            } else {
                vec![]
            },
        };
        let content = StepScript {
            flow: &self.g.flow.name,
            python: &self.opts.python,
            bundle_b64: is_start.then_some(self.bundle_b64.as_str()),
            plan: &plan,
        }
        .render();
        let mut it = Map::new();
        let run_id = if is_start {
            InputTransform::empty()
        } else {
            InputTransform::js(format!("results.{}.run_id", self.start_id))
        };
        let params = if is_start {
            InputTransform::js(self.params_expr.clone())
        } else {
            InputTransform::empty()
        };
        let resume = resume::transform(is_start, &self.start_id);
        for (k, v) in STEP_ARGS.iter().zip([
            run_id,
            index_path_transform(frames),
            input_ref,
            params,
            resume,
        ]) {
            it.insert(k.to_string(), v.to_value());
        }
        let mut summary = name.to_string();
        if !notes.is_empty() {
            summary = format!("{summary} ({})", notes.join("; "));
        }
        FlowModule {
            id: step_id(name),
            summary,
            value: ModuleValue::RawScript {
                language: Language::Bash,
                content,
                input_transforms: it,
                tag: None,
            },
            retry: (attempts > 0).then_some(Retry {
                constant: ConstantRetry { attempts, seconds },
            }),
            timeout,
            stop_after_if: None,
        }
    }

    /// `res` = JavaScript for the switch step's result (`results.<S>`, or the last
    /// iteration of a recursive switch's loop).
    fn default_module(&self, sw: &str, res: &str) -> FlowModule {
        let mut it = Map::new();
        it.insert(
            "next".into(),
            InputTransform::js(format!("{res}.next")).to_value(),
        );
        FlowModule {
            id: format!("_default_{sw}"),
            summary: format!("unknown case of switch {sw}: fail"),
            value: ModuleValue::RawScript {
                language: Language::Bash,
                content: script::unknown_case_script(sw),
                input_transforms: it,
                tag: None,
            },
            retry: None,
            timeout: None,
            stop_after_if: None,
        }
    }

    fn relay_module(&self, sw: &str, case: &str, res: &str) -> FlowModule {
        let mut it = Map::new();
        for f in ["pathspec", "tail"] {
            it.insert(
                f.into(),
                InputTransform::js(format!("{res}.{f}")).to_value(),
            );
        }
        FlowModule {
            id: format!("_relay_{sw}_{case}"),
            summary: format!("{sw} -> {case}"),
            value: ModuleValue::RawScript {
                language: Language::Bash,
                content: script::relay_script(),
                input_transforms: it,
                tag: None,
            },
            retry: None,
            timeout: None,
            stop_after_if: None,
        }
    }

    /// Distinct case targets of a switch, in dict order.
    fn case_targets(&self, s: &Step) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for (_, t) in &s.next.switch_cases {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
        out
    }

    /// Emit the steps from `first` up to (excluding) `stop`.
    fn seq(
        &mut self,
        first: &str,
        stop: Option<&str>,
        mut input: (InputPlan, InputTransform),
        frames: &[Frame],
    ) -> Vec<FlowModule> {
        let mut out = vec![];
        let mut cur = first.to_string();
        loop {
            if !self.errors.is_empty() {
                return out;
            }
            let s = self.step(&cur);
            let sid = step_id(&cur);
            if is_recursive(s) {
                let mut f2 = frames.to_vec();
                f2.push(Frame::While);
                let mut m = self.step_module(&cur, input.0.clone(), input.1.clone(), &f2, true);
                m.stop_after_if = Some(StopAfterIf {
                    expr: format!("result.next !== {}", js_str(&cur)),
                    skip_if_stopped: false,
                });
                out.push(FlowModule {
                    id: format!("_loop_{cur}"),
                    summary: format!("recursive switch {cur}"),
                    value: ModuleValue::WhileLoop {
                        skip_failures: false,
                        modules: vec![m],
                    },
                    retry: None,
                    timeout: None,
                    stop_after_if: None,
                });
                let merge = self.st.switch_join.get(&cur).cloned().flatten();
                // The last iteration's result, read from the loop module's own result (the
                // array of iteration results): `results.<S>` of a module inside a finished
                // iteration subflow is not visible everywhere (local executor deviation 4).
                let last = format!("results._loop_{cur}[results._loop_{cur}.length - 1]");
                let targets: Vec<String> = self
                    .case_targets(s)
                    .into_iter()
                    .filter(|t| *t != cur)
                    .collect();
                let mut branches = vec![];
                for t in targets {
                    let modules = if Some(&t) == merge.as_ref() {
                        vec![self.relay_module(&cur, &t, &last)]
                    } else {
                        self.seq(
                            &t,
                            merge.as_deref(),
                            (
                                InputPlan::Ref,
                                InputTransform::js(format!("{last}.pathspec")),
                            ),
                            frames,
                        )
                    };
                    branches.push(BranchOneBranch {
                        summary: t.clone(),
                        expr: format!("{last}.next === {}", js_str(&t)),
                        modules,
                    });
                }
                let exit = format!("_exit_{cur}");
                out.push(FlowModule {
                    id: exit.clone(),
                    summary: format!("exit of recursive switch {cur}"),
                    value: ModuleValue::BranchOne {
                        branches,
                        default: vec![self.default_module(&cur, &last)],
                    },
                    retry: None,
                    timeout: None,
                    stop_after_if: None,
                });
                match merge {
                    Some(m) if Some(m.as_str()) != stop => {
                        cur = m;
                        input = (
                            InputPlan::Ref,
                            InputTransform::js(format!("results.{exit}.pathspec")),
                        );
                        continue;
                    }
                    _ => return out,
                }
            }
            let m = self.step_module(&cur, input.0.clone(), input.1.clone(), frames, false);
            out.push(m);
            let next = &s.next;
            match next.transition {
                None => return out, // the end step
                Some(Transition::Linear) | Some(Transition::Join) => {
                    let n = next.out_funcs[0].clone();
                    if Some(n.as_str()) == stop {
                        return out;
                    }
                    input = (
                        InputPlan::Same { pred: cur.clone() },
                        InputTransform::empty(),
                    );
                    cur = n;
                }
                Some(Transition::Split) => {
                    let join = self.g.get(&cur).and_then(|n| n.matching_join.clone());
                    let Some(join) = join else {
                        self.errors
                            .push(format!("split step {cur} has no matching join"));
                        return out;
                    };
                    let mut branches = vec![];
                    for b in next.out_funcs.clone() {
                        let modules = self.seq(
                            &b,
                            Some(&join),
                            (
                                InputPlan::Same { pred: cur.clone() },
                                InputTransform::empty(),
                            ),
                            frames,
                        );
                        branches.push(BranchAllBranch {
                            summary: b.clone(),
                            skip_failure: false,
                            modules,
                        });
                    }
                    let bid = format!("_split_{cur}");
                    out.push(FlowModule {
                        id: bid.clone(),
                        summary: format!("split {cur}"),
                        value: ModuleValue::BranchAll {
                            parallel: true,
                            branches,
                        },
                        retry: None,
                        timeout: None,
                        stop_after_if: None,
                    });
                    if Some(join.as_str()) == stop {
                        self.errors
                            .push(format!("internal error: join {join} is a region end"));
                        return out;
                    }
                    input = (
                        InputPlan::Branches,
                        InputTransform::js(format!("results.{bid}")),
                    );
                    cur = join;
                }
                Some(Transition::Foreach) => {
                    let join = self.g.get(&cur).and_then(|n| n.matching_join.clone());
                    let Some(join) = join else {
                        self.errors
                            .push(format!("foreach step {cur} has no matching join"));
                        return out;
                    };
                    let mut f2 = frames.to_vec();
                    f2.push(Frame::Foreach);
                    let body = self.seq(
                        &next.out_funcs[0].clone(),
                        Some(&join),
                        (
                            InputPlan::Split { pred: cur.clone() },
                            InputTransform::empty(),
                        ),
                        &f2,
                    );
                    let fid = format!("_foreach_{cur}");
                    let param = next.foreach_var.clone().unwrap_or_default();
                    out.push(FlowModule {
                        id: fid.clone(),
                        summary: format!("foreach {cur} ({param})"),
                        value: ModuleValue::ForLoop {
                            iterator: InputTransform::js(format!(
                                "[...Array(results.{sid}.splits).keys()]"
                            )),
                            skip_failures: false,
                            parallel: true,
                            parallelism: self.opts.max_workers,
                            modules: body,
                        },
                        retry: None,
                        timeout: None,
                        stop_after_if: None,
                    });
                    let jn = self.g.get(&join).expect("join");
                    let uniform =
                        jn.in_funcs.len() == 1 && !is_recursive(self.step(&jn.in_funcs[0]));
                    input = if uniform {
                        (
                            InputPlan::Foreach {
                                pred: jn.in_funcs[0].clone(),
                            },
                            InputTransform::js(format!("results.{sid}.splits")),
                        )
                    } else {
                        self.warnings.push(format!(
                            "foreach join {join} has several kinds of predecessors ({}); its input paths travel as one string of O(width) bytes. A common step before the join avoids this.",
                            jn.in_funcs.join(", ")
                        ));
                        (
                            InputPlan::Tails {
                                order: jn.in_funcs.clone(),
                            },
                            InputTransform::js(format!(
                                "results.{fid}.map(r => r.tail).join(\",\")"
                            )),
                        )
                    };
                    if Some(join.as_str()) == stop {
                        self.errors
                            .push(format!("internal error: join {join} is a region end"));
                        return out;
                    }
                    cur = join;
                }
                Some(Transition::SplitSwitch) => {
                    let merge = self.st.switch_join.get(&cur).cloned().flatten();
                    let mut branches = vec![];
                    for t in self.case_targets(s) {
                        let modules = if Some(&t) == merge.as_ref() {
                            vec![self.relay_module(&cur, &t, &format!("results.{sid}"))]
                        } else {
                            self.seq(
                                &t,
                                merge.as_deref(),
                                (
                                    InputPlan::Same { pred: cur.clone() },
                                    InputTransform::empty(),
                                ),
                                frames,
                            )
                        };
                        branches.push(BranchOneBranch {
                            summary: t.clone(),
                            expr: format!("results.{sid}.next === {}", js_str(&t)),
                            modules,
                        });
                    }
                    let swid = format!("_switch_{cur}");
                    out.push(FlowModule {
                        id: swid.clone(),
                        summary: format!(
                            "switch {cur} on {}",
                            next.condition.clone().unwrap_or_default()
                        ),
                        value: ModuleValue::BranchOne {
                            branches,
                            default: vec![self.default_module(&cur, &format!("results.{sid}"))],
                        },
                        retry: None,
                        timeout: None,
                        stop_after_if: None,
                    });
                    match merge {
                        Some(m) if Some(m.as_str()) != stop => {
                            input = (
                                InputPlan::Ref,
                                InputTransform::js(format!("results.{swid}.pathspec")),
                            );
                            cur = m;
                        }
                        _ => return out,
                    }
                }
            }
        }
    }
}

/// `t<k>` for every step, k = 1 + its place in Metaflow's `sorted_nodes` (the traversal
/// order): distinct for distinct steps, so `t<k>-<segs>` is unique within a run, and known
/// statically to every step that names another step's task (design §4.1).
fn task_prefixes(g: &FlowGraph) -> HashMap<String, String> {
    g.sorted_nodes
        .iter()
        .enumerate()
        .map(|(k, &i)| (g.nodes[i].name.to_string(), format!("t{}", k + 1)))
        .collect()
}

/// Files a flow names (IncludeFile and Config defaults that are existing files).
fn named_files(flow: &Flow, dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut consider = |v: Option<&crate::parse::model::Arg>| {
        if let Some(s) = v.and_then(|a| a.value.literal()).and_then(|l| l.as_str())
            && !s.is_empty()
            && s.len() < 4096
            && dir.join(s).is_file()
        {
            out.push(s.to_string());
        }
    };
    for p in &flow.parameters {
        if p.kind == crate::parse::model::ParamKind::IncludeFile {
            consider(p.kwarg("default"));
        }
    }
    for c in &flow.configs {
        consider(c.kwarg("default"));
    }
    out
}

/// Compile one checked flow. `Err` holds the reasons (compile errors).
pub fn compile(flow: &Flow, opts: &CompileOptions) -> Result<Compiled, Vec<String>> {
    compile_with(flow, opts, None)
}

/// [`compile`], with what `--metaflow-resolved` adds beyond the (already overlaid) flow:
/// Metaflow's settings and the config values (`crate::parse::resolved`).
pub fn compile_with(
    flow: &Flow,
    opts: &CompileOptions,
    overlay: Option<&crate::parse::resolved::EmitOverlay>,
) -> Result<Compiled, Vec<String>> {
    let g = FlowGraph::new(flow);
    let st = analysis::analyze(&g);
    let mut errors = vec![];
    let Some(start) = g.start() else {
        return Err(vec!["the flow has no start step".into()]);
    };
    if opts.python.is_empty() || opts.python.chars().any(char::is_control) {
        errors.push("--python must be a non-empty path without control characters".to_string());
    }
    for w in &opts.with {
        let name = w.split(':').next().unwrap_or("").trim();
        if name.is_empty() || name == "windmill_internal" {
            errors.push(format!(
                "--with '{w}': not a decorator spec mf-windmill can forward"
            ));
        } else if overlay.is_none() && matches!(name, "retry" | "catch" | "timeout" | "environment")
        {
            // (With --metaflow-resolved, Metaflow's view already has the --with decorator
            // on every step and it is compiled from there.)
            // These are compiled into Windmill retries, timeouts and the step environment
            // from the flow's own decorators; forwarding them would make Metaflow and
            // Windmill disagree (e.g. on --max-user-code-retries).
            errors.push(format!(
                "--with {name}: @{name} is compiled into the Windmill flow from the flow's decorators; add @{name} to the steps in the flow file instead"
            ));
        }
    }
    if opts.max_workers == 0 {
        errors.push("--max-workers must be at least 1".to_string());
    }
    if opts.user.is_empty() || opts.user == "root" {
        errors.push("Metaflow refuses to run as root or without a user name: set USERNAME (or pass --user NAME) to the deploying user".to_string());
    }
    let env_of = |k: &str| {
        opts.env
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, b)| b.clone())
    };
    let mut warnings = vec![];
    let resolved = match overlay {
        Some(o) => o
            .resolve_settings(&opts.env, opts.datastore_root.as_deref())
            .map(|(s, w)| {
                warnings.extend(w);
                s
            }),
        None => settings::resolve(&env_of, &opts.env, opts.datastore_root.as_deref()),
    };
    let settings = match resolved {
        Ok(s) => s,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };

    for k in &settings.skipped_secrets {
        warnings.push(format!(
            "{k} looks like a secret and is NOT embedded in the compiled flow; give it to the Windmill workers through their environment"
        ));
    }
    let proj = match project::resolve(flow, opts) {
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    let (schema, params_expr, plan_params, pwarn) =
        match params::build_with(flow, overlay.is_some()) {
            Ok(x) => x,
            Err(mut e) => {
                errors.append(&mut e);
                return Err(errors);
            }
        };
    warnings.extend(pwarn);
    let listeners =
        match decorators::triggers::listeners(flow, &schema, proj.project_flow_name.as_deref()) {
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                vec![]
            }
        };
    let schedule = match project::schedule(flow, &proj.path) {
        Ok(s) => s,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if schedule.is_some()
        && flow.parameters.iter().any(|p| {
            p.kwarg("required")
                .and_then(|a| a.value.literal())
                .is_some_and(|l| l.truthy())
                && p.kwarg("default").is_none()
        })
    {
        errors.push("@schedule with a required parameter that has no default: scheduled runs could never start".into());
    }
    let dir = std::fs::canonicalize(&opts.flow_file)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut extra: Vec<(String, Vec<u8>)> = overlay
        .and_then(|o| o.config_json.clone())
        .map(|j| {
            (
                crate::parse::resolved::CONFIG_FILE.to_string(),
                j.into_bytes(),
            )
        })
        .into_iter()
        .collect();
    // The Metaflow extensions in use travel in the bundle, as in Metaflow's own code
    // package (Argo's workers get them there): at the bundle root, next to the flow file,
    // so the step's `python flow.py` finds them on sys.path[0].
    for (arcname, path) in overlay
        .map(|o| o.package_files.as_slice())
        .unwrap_or_default()
    {
        match std::fs::read(path) {
            Ok(bytes) => extra.push((arcname.clone(), bytes)),
            Err(e) => errors.push(format!(
                "Metaflow extension file {} cannot be read for the code bundle: {e}",
                path.display()
            )),
        }
    }
    let built = bundle::build_with(
        &opts.flow_file,
        &opts.package_suffixes,
        &named_files(flow, &dir),
        &extra,
    );
    let (bundle, flow_rel) = match built {
        Ok(b) => b,
        Err(e) => {
            errors.push(e);
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut em = Emitter {
        g: &g,
        st,
        opts,
        settings,
        bundle_b64: bundle.base64.clone(),
        bundle_sha: bundle.sha256.clone(),
        flow_rel,
        start_id: step_id(start.name),
        task_prefix: task_prefixes(&g),
        params_expr,
        plan_params,
        triggered: !listeners.is_empty(),
        top_extra: proj
            .top_options
            .iter()
            .cloned()
            .chain(
                opts.with
                    .iter()
                    .flat_map(|w| ["--with".to_string(), w.clone()]),
            )
            .chain(overlay.map(|o| o.config_options()).unwrap_or_default())
            .collect(),
        warnings,
        errors: vec![],
        visited: HashSet::new(),
    };
    let modules = em.seq(
        start.name,
        None,
        (InputPlan::Params, InputTransform::empty()),
        &[],
    );
    let mut modules = modules;
    let mut errors = std::mem::take(&mut em.errors);
    errors.extend(decorators::resources::apply(
        flow,
        &opts.routing,
        &mut modules,
    ));
    // Every reachable step (Metaflow's traversal order lists exactly those) is emitted once.
    for &i in &g.sorted_nodes {
        let name = g.nodes[i].name;
        if !em.visited.contains(name) {
            errors.push(format!("internal error: step {name} was not emitted"));
        }
    }
    let hooks = match decorators::exit_hook::lower(&em, flow) {
        Ok(h) => h,
        Err(e) => {
            errors.push(format!("@exit_hook: {e}"));
            Default::default()
        }
    };
    if let Some(end) = g.end() {
        modules.push(decorators::triggers::finish_module(
            &em,
            end.name,
            proj.project_flow_name.as_deref(),
        ));
    }
    modules.extend(hooks.on_success);
    let value = FlowValue {
        modules,
        failure_module: hooks.failure.map(Box::new),
    };
    errors.extend(invariants(&value));
    if !errors.is_empty() {
        return Err(errors);
    }
    let openflow = OpenFlow {
        summary: proj.display_name.clone(),
        description: format!(
            "{}{}(mf-windmill {}, metaflow {}, bundle sha256 {})",
            flow.doc.clone().unwrap_or_default().trim(),
            if flow.doc.as_deref().is_some_and(|d| !d.trim().is_empty()) {
                " "
            } else {
                ""
            },
            env!("CARGO_PKG_VERSION"),
            METAFLOW_VERSION,
            &bundle.sha256[..12]
        ),
        value,
        schema,
    };
    let size = json_size(&openflow);
    if opts.max_flow_bytes > 0 && size > opts.max_flow_bytes {
        return Err(vec![format!(
            "the compiled flow is {} bytes, above the {}-byte limit (the {}-byte code bundle travels once; each of the flow's {} steps adds its plan and bootstrap); raise it with --max-flow-bytes if your Windmill server accepts larger requests",
            size,
            opts.max_flow_bytes,
            bundle.tgz.len(),
            flow.steps.len()
        )]);
    }
    Ok(Compiled {
        openflow,
        path: proj.path,
        flow_name: flow.name.clone(),
        project_flow_name: proj.project_flow_name,
        schedule,
        warnings: em.warnings,
        bundle_sha256: bundle.sha256,
        bundle_files: bundle.files.keys().cloned().collect(),
        listeners,
        settings: em.settings,
    })
}

/// Structural invariants every emitted flow must satisfy (design §1.1, §1.7, §10.2).
pub fn invariants(value: &FlowValue) -> Vec<String> {
    let mut errs = vec![];
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for m in value.all_modules() {
        *seen.entry(m.id.as_str()).or_default() += 1;
        if !m.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || m.id.is_empty()
            || m.id.chars().next().is_some_and(|c| c.is_ascii_digit())
            || m.id == "failure"
            || m.id == "preprocessor"
        {
            errs.push(format!(
                "module id '{}' is not usable as results.<id>",
                m.id
            ));
        }
        match &m.value {
            ModuleValue::ForLoop { parallel, .. } if !parallel => errs.push(format!(
                "forloop {} is not parallel (single-step collapse)",
                m.id
            )),
            ModuleValue::WhileLoop { modules, .. }
                if modules.len() == 1 && modules[0].stop_after_if.is_none() =>
            {
                errs.push(format!("while loop {} could collapse", m.id))
            }
            ModuleValue::RawScript {
                input_transforms, ..
            } if input_transforms.len() > 19 => {
                errs.push(format!("module {} has more than 19 arguments", m.id))
            }
            _ => {}
        }
    }
    let mut dups: Vec<&&str> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(k, _)| k)
        .collect();
    dups.sort();
    for d in dups {
        errs.push(format!("duplicate module id '{d}'"));
    }
    errs
}

/// `--format wmill`: the files Windmill's CLI syncs.
pub fn wmill_files(c: &Compiled) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    let yaml = serde_yaml::to_string(&c.openflow).map_err(|e| e.to_string())?;
    out.insert(format!("{}__flow/flow.yaml", c.path), yaml);
    if let Some(s) = &c.schedule {
        let mut s = s.clone();
        if let Some(m) = s.as_object_mut() {
            m.remove("path");
        }
        out.insert(
            format!("{}.schedule.yaml", c.path),
            serde_yaml::to_string(&s).map_err(|e| e.to_string())?,
        );
    }
    Ok(out)
}

/// Size of the compact JSON, without building it.
fn json_size(v: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

/// `--format json`: the OpenFlow document, streamed.
pub fn write_json(c: &Compiled, w: &mut impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &c.openflow)?;
    w.write_all(b"\n")
}

/// `--format json`: the OpenFlow document.
pub fn to_json(c: &Compiled) -> String {
    serde_json::to_string_pretty(&c.openflow).unwrap_or_default()
}
