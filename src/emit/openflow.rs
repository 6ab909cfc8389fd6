//! OpenFlow as we emit it: our own serde types (the crates.io `windmill-api` models cannot
//! round-trip real flows). Fields Windmill defaults dangerously when absent are not
//! `Option`: every `forloopflow` carries `skip_failures`, `parallel` (and `parallelism`
//! because it is always parallel), every `branchall` carries `parallel` and each branch
//! `skip_failure`, every `whileloopflow` carries `skip_failures`. There is no `same_worker`
//! field at all, so it can never be emitted.

use serde::Serialize;
use serde_json::{Map, Value};

/// A whole OpenFlow document (`{summary, description, value, schema}`).
#[derive(Debug, Clone, Serialize)]
pub struct OpenFlow {
    pub summary: String,
    pub description: String,
    pub value: FlowValue,
    pub schema: Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowValue {
    pub modules: Vec<FlowModule>,
    /// Runs when a module fails after its retries (id `failure`); also inside each
    /// failing loop iteration or branch subflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_module: Option<Box<FlowModule>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowModule {
    pub id: String,
    pub summary: String,
    pub value: ModuleValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_after_if: Option<StopAfterIf>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Retry {
    pub constant: ConstantRetry,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConstantRetry {
    pub attempts: u32,
    pub seconds: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StopAfterIf {
    pub expr: String,
    pub skip_if_stopped: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ModuleValue {
    #[serde(rename = "rawscript")]
    RawScript {
        language: Language,
        content: String,
        /// In signature order (`preserve_order` keeps insertion order).
        input_transforms: Map<String, Value>,
        /// Worker tag: only workers serving it run the module's jobs (rawscript `tag`,
        /// `openflow.openapi.yaml`, `windmill-types/src/flows.rs`); absent: `bash`.
        #[serde(skip_serializing_if = "Option::is_none")]
        tag: Option<String>,
    },
    #[serde(rename = "forloopflow")]
    ForLoop {
        iterator: InputTransform,
        skip_failures: bool,
        parallel: bool,
        parallelism: u32,
        modules: Vec<FlowModule>,
    },
    #[serde(rename = "whileloopflow")]
    WhileLoop {
        skip_failures: bool,
        modules: Vec<FlowModule>,
    },
    #[serde(rename = "branchall")]
    BranchAll {
        parallel: bool,
        branches: Vec<BranchAllBranch>,
    },
    #[serde(rename = "branchone")]
    BranchOne {
        branches: Vec<BranchOneBranch>,
        default: Vec<FlowModule>,
    },
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Bash,
}

#[derive(Debug, Clone, Serialize)]
pub struct BranchAllBranch {
    pub summary: String,
    pub skip_failure: bool,
    pub modules: Vec<FlowModule>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BranchOneBranch {
    pub summary: String,
    pub expr: String,
    pub modules: Vec<FlowModule>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum InputTransform {
    Static { value: Value },
    Javascript { expr: String },
}

impl InputTransform {
    pub fn js(expr: impl Into<String>) -> Self {
        InputTransform::Javascript { expr: expr.into() }
    }
    pub fn empty() -> Self {
        InputTransform::Static {
            value: Value::String(String::new()),
        }
    }
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl FlowModule {
    /// Every module of this subtree, depth first (this one included).
    pub fn walk<'a>(&'a self, out: &mut Vec<&'a FlowModule>) {
        out.push(self);
        match &self.value {
            ModuleValue::RawScript { .. } => {}
            ModuleValue::ForLoop { modules, .. } | ModuleValue::WhileLoop { modules, .. } => {
                modules.iter().for_each(|m| m.walk(out));
            }
            ModuleValue::BranchAll { branches, .. } => {
                for b in branches {
                    b.modules.iter().for_each(|m| m.walk(out));
                }
            }
            ModuleValue::BranchOne { branches, default } => {
                for b in branches {
                    b.modules.iter().for_each(|m| m.walk(out));
                }
                default.iter().for_each(|m| m.walk(out));
            }
        }
    }
}

impl FlowValue {
    pub fn all_modules(&self) -> Vec<&FlowModule> {
        let mut out = Vec::new();
        self.modules.iter().for_each(|m| m.walk(&mut out));
        out
    }
}
