//! `@resources(cpu=, memory=, gpu=)` → a Windmill worker tag.
//!
//! Windmill has no per-job resource requests: a job runs on whichever worker pulls it, and
//! workers pull only jobs whose tag they serve (`backend/windmill-common/src/worker.rs`,
//! `make_pull_query`: `tag IN (<worker tags>)`). A rawscript module's `tag`
//! (`openflow.openapi.yaml` RawScript `tag`; `backend/windmill-types/src/flows.rs`) is the
//! tag of its jobs; without one a bash job is tagged `bash`. So @resources is honoured by
//! routing: a deploy-time [`Routing`] maps resource thresholds to worker tags
//! (`--worker-tag-map`), and a per-step override (`--worker-tag STEP=TAG`) names a step's
//! tag outright. Without a mapping, @resources is ignored with a warning, as before.
//!
//! Map format (JSON, inline or in a file): an array of rules tried in order, the first
//! whose every threshold the step's request meets wins:
//! `[{"tag": "gpu", "gpu": 1}, {"tag": "highmem", "memory": 32768}, {"tag": "big", "cpu": 8}]`.
//! The request is Metaflow's: `cpu` (default 1), `memory` in MB (default 4096), `gpu`
//! (default 0) of the step's @resources.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Acc, Report};
use crate::emit::openflow::{FlowModule, ModuleValue};
use crate::parse::model::{Decorator, Flow, Step};

/// One rule of `--worker-tag-map`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    pub tag: String,
    #[serde(default)]
    pub cpu: Option<f64>,
    /// MB, as Metaflow's `memory`.
    #[serde(default)]
    pub memory: Option<f64>,
    #[serde(default)]
    pub gpu: Option<f64>,
}

/// How steps are routed to Windmill workers: resolved once from the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routing {
    /// `--worker-tag-map` rules, in order.
    pub rules: Vec<TagRule>,
    /// `--worker-tag STEP=TAG`.
    pub overrides: BTreeMap<String, String>,
}

/// A usable worker tag: Windmill interpolates tags into its pull query and shows them in
/// its UI, so keep to letters, digits, `_` and `-`.
fn check_tag(tag: &str, what: &str) -> Result<(), String> {
    if tag.is_empty()
        || tag.len() > 255
        || !tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(format!(
            "{what}: worker tag {tag:?} must be 1-255 letters, digits, '_' or '-'"
        ));
    }
    Ok(())
}

impl Routing {
    /// Resolve `--worker-tag-map` (inline JSON, or a file holding it) and `--worker-tag`.
    pub fn resolve(map: Option<&str>, overrides: &[String]) -> Result<Routing, String> {
        let mut r = Routing::default();
        if let Some(m) = map {
            let text = if m.trim_start().starts_with('[') {
                m.to_string()
            } else {
                std::fs::read_to_string(m)
                    .map_err(|e| format!("--worker-tag-map {m}: cannot read the file: {e}"))?
            };
            r.rules = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "--worker-tag-map: not a JSON array of rules like [{{\"tag\": \"gpu\", \"gpu\": 1}}]: {e}"
                )
            })?;
            for rule in &r.rules {
                check_tag(&rule.tag, "--worker-tag-map")?;
                for (k, v) in [
                    ("cpu", rule.cpu),
                    ("memory", rule.memory),
                    ("gpu", rule.gpu),
                ] {
                    if v.is_some_and(|x| !x.is_finite() || x < 0.0) {
                        return Err(format!(
                            "--worker-tag-map: rule for tag {:?}: {k} must be a non-negative number",
                            rule.tag
                        ));
                    }
                }
            }
        }
        for o in overrides {
            let Some((step, tag)) = o.split_once('=') else {
                return Err(format!("--worker-tag expects STEP=TAG, got {o:?}"));
            };
            check_tag(tag, "--worker-tag")?;
            if step.is_empty() {
                return Err(format!("--worker-tag expects STEP=TAG, got {o:?}"));
            }
            if r.overrides
                .insert(step.to_string(), tag.to_string())
                .is_some()
            {
                return Err(format!("--worker-tag: step {step} is given twice"));
            }
        }
        Ok(r)
    }

    /// Steps named by `--worker-tag` that the flow does not have.
    pub fn unknown_steps(&self, flow: &Flow) -> Vec<String> {
        self.overrides
            .keys()
            .filter(|s| flow.step(s).is_none())
            .map(|s| format!("--worker-tag {s}=...: the flow has no step {s}"))
            .collect()
    }
}

/// The step's resource request as Metaflow reads it; `Err` names a value that is not a
/// literal number.
fn request(s: &Step, d: &Decorator) -> Result<[f64; 3], String> {
    let mut out = [1.0, 4096.0, 0.0];
    for (i, k) in ["cpu", "memory", "gpu"].iter().enumerate() {
        let Some(a) = d.kwarg(k) else { continue };
        let v = a.value.literal().and_then(|l| {
            if l.type_name() == "NoneType" {
                return Some(0.0);
            }
            l.as_f64()
                .or_else(|| l.as_i64().map(|i| i as f64))
                .or_else(|| l.as_str()?.trim().parse().ok())
        });
        match v {
            Some(x) => out[i] = x,
            None => {
                return Err(format!(
                    "step {}: @resources({k}=...) is not a literal number; mf-windmill must know it to choose the step's worker tag (--worker-tag-map), or name the tag with --worker-tag {}=TAG",
                    s.name, s.name
                ));
            }
        }
    }
    Ok(out)
}

/// What routing decides for one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// No tag: the step runs on the default (`bash`) workers.
    Default,
    Tag(String),
}

/// The worker tag of step `s`: its `--worker-tag` override, else the first
/// `--worker-tag-map` rule its @resources meets.
pub fn choose(s: &Step, routing: &Routing) -> Result<Choice, String> {
    if let Some(t) = routing.overrides.get(&s.name) {
        return Ok(Choice::Tag(t.clone()));
    }
    let Some(d) = s.decorator("resources") else {
        return Ok(Choice::Default);
    };
    if routing.rules.is_empty() {
        return Ok(Choice::Default);
    }
    let [cpu, memory, gpu] = request(s, d)?;
    let meets = |need: Option<f64>, have: f64| need.is_none_or(|n| have >= n);
    Ok(routing
        .rules
        .iter()
        .find(|r| meets(r.cpu, cpu) && meets(r.memory, memory) && meets(r.gpu, gpu))
        .map_or(Choice::Default, |r| Choice::Tag(r.tag.clone())))
}

pub(crate) fn lower(
    s: &Step,
    _d: &Decorator,
    routing: &Routing,
    acc: &mut Acc,
    report: &mut Report,
) {
    if routing.rules.is_empty() && !routing.overrides.contains_key(&s.name) {
        report.warnings.push(format!(
            "step {}: @resources ignored: Windmill has no per-job resource requests; route the step to suitable workers with --worker-tag-map or --worker-tag {}=TAG",
            s.name, s.name
        ));
        acc.notes.push("@resources ignored".to_string());
        return;
    }
    match choose(s, routing) {
        Ok(Choice::Tag(t)) => acc.notes.push(format!("worker tag {t}")),
        Ok(Choice::Default) => {
            report.warnings.push(format!(
                "step {}: its @resources meets no rule of --worker-tag-map: it runs on the default bash workers, which may be too small",
                s.name
            ));
            acc.notes.push("@resources: default workers".to_string());
        }
        Err(e) => report.errors.push(e),
    }
}

/// Put each routed step's worker tag on its module (steps are the rawscript modules whose
/// id is the step's module id).
pub fn apply(flow: &Flow, routing: &Routing, modules: &mut [FlowModule]) -> Vec<String> {
    let mut errors = routing.unknown_steps(flow);
    let mut tags = BTreeMap::new();
    for s in &flow.steps {
        match choose(s, routing) {
            Ok(Choice::Tag(t)) => {
                tags.insert(crate::emit::step_id(&s.name), t);
            }
            Ok(Choice::Default) => {}
            // Reported by `lower`.
            Err(_) => {}
        }
    }
    if tags.is_empty() {
        return errors;
    }
    fn walk(ms: &mut [FlowModule], tags: &BTreeMap<String, String>, n: &mut usize) {
        for m in ms {
            match &mut m.value {
                ModuleValue::RawScript { tag, .. } => {
                    if let Some(t) = tags.get(&m.id) {
                        *tag = Some(t.clone());
                        *n += 1;
                    }
                }
                ModuleValue::ForLoop { modules, .. } | ModuleValue::WhileLoop { modules, .. } => {
                    walk(modules, tags, n)
                }
                ModuleValue::BranchAll { branches, .. } => {
                    for b in branches {
                        walk(&mut b.modules, tags, n);
                    }
                }
                ModuleValue::BranchOne { branches, default } => {
                    for b in branches {
                        walk(&mut b.modules, tags, n);
                    }
                    walk(default, tags, n);
                }
            }
        }
    }
    let mut n = 0;
    walk(modules, &tags, &mut n);
    if n < tags.len() {
        errors.push(format!(
            "internal error: {} routed step(s) have no module to carry their worker tag",
            tags.len() - n
        ));
    }
    errors
}
