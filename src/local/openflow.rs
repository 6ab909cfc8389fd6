//! Minimal serde model of the OpenFlow subset the local executor runs.
//!
//! Follows `openflow.openapi.yaml` and `backend/windmill-types/src/flows.rs`: unknown fields are
//! ignored (no `deny_unknown_fields`, like Windmill's serde structs). A module's `value` is kept
//! as raw JSON and converted by [`FlowModule::kind`], so an unknown module type is reported with
//! the module id instead of an anonymous serde error.

use serde::Deserialize;
use serde_json::{Map, Value};

/// `OpenFlow {summary, description, value, schema}`.
#[derive(Debug, Clone, Deserialize)]
pub struct OpenFlow {
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub value: FlowValue,
    #[serde(default)]
    pub schema: Option<Value>,
}

/// `FlowValue`: the modules plus the flow-level options we honour or warn about.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct FlowValue {
    pub modules: Vec<FlowModule>,
    #[serde(default)]
    pub failure_module: Option<Box<FlowModule>>,
    #[serde(default)]
    pub preprocessor_module: Option<Box<FlowModule>>,
    #[serde(default)]
    pub same_worker: Option<bool>,
    #[serde(default)]
    pub concurrent_limit: Option<Value>,
    #[serde(default)]
    pub skip_expr: Option<String>,
    #[serde(default)]
    pub cache_ttl: Option<Value>,
    #[serde(default)]
    pub early_return: Option<String>,
}

/// `FlowModule`.
#[derive(Debug, Clone, Deserialize)]
pub struct FlowModule {
    pub id: String,
    pub value: Value,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub retry: Option<Retry>,
    /// Seconds; Windmill also accepts an input transform here in recent versions.
    #[serde(default)]
    pub timeout: Option<Value>,
    #[serde(default)]
    pub sleep: Option<Value>,
    #[serde(default)]
    pub suspend: Option<Value>,
    #[serde(default)]
    pub stop_after_if: Option<StopAfterIf>,
    #[serde(default)]
    pub stop_after_all_iters_if: Option<StopAfterIf>,
    #[serde(default)]
    pub skip_if: Option<SkipIf>,
    #[serde(default)]
    pub cache_ttl: Option<Value>,
    #[serde(default)]
    pub priority: Option<Value>,
    #[serde(default)]
    pub continue_on_error: Option<bool>,
    #[serde(default)]
    pub delete_after_use: Option<bool>,
    #[serde(default)]
    pub mock: Option<Value>,
}

/// `Retry {constant, exponential, retry_if}`; both delays default to zero attempts
/// (`#[serde(default)]` on Windmill's struct).
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct Retry {
    pub constant: ConstantDelay,
    pub exponential: ExponentialDelay,
    pub retry_if: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct ConstantDelay {
    pub attempts: u32,
    pub seconds: u64,
}

#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct ExponentialDelay {
    pub attempts: u32,
    pub multiplier: u64,
    pub seconds: u64,
    pub random_factor: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Default)]
pub struct StopAfterIf {
    pub expr: String,
    #[serde(default)]
    pub skip_if_stopped: bool,
    #[serde(default)]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SkipIf {
    pub expr: String,
}

/// `InputTransform = {type: static, value} | {type: javascript, expr}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum InputTransform {
    Static {
        #[serde(default)]
        value: Value,
    },
    Javascript {
        expr: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
pub struct BranchOneBranch {
    #[serde(default)]
    pub summary: Option<String>,
    pub expr: String,
    pub modules: Vec<FlowModule>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BranchAllBranch {
    #[serde(default)]
    pub summary: Option<String>,
    /// Absent means `true` on a real server (see `../shared/docs/windmill.md`).
    #[serde(default)]
    pub skip_failure: Option<bool>,
    pub modules: Vec<FlowModule>,
}

/// The module kinds the executor runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ModuleValue {
    RawScript {
        content: String,
        language: String,
        #[serde(default)]
        input_transforms: Map<String, Value>,
        /// The worker tag of the module's jobs (absent: the language's default tag).
        #[serde(default)]
        tag: Option<String>,
    },
    ForLoopFlow {
        iterator: InputTransform,
        modules: Vec<FlowModule>,
        #[serde(default)]
        skip_failures: Option<bool>,
        #[serde(default)]
        parallel: Option<bool>,
        #[serde(default)]
        parallelism: Option<Value>,
    },
    WhileLoopFlow {
        modules: Vec<FlowModule>,
        #[serde(default)]
        skip_failures: Option<bool>,
    },
    BranchOne {
        branches: Vec<BranchOneBranch>,
        default: Vec<FlowModule>,
    },
    BranchAll {
        branches: Vec<BranchAllBranch>,
        #[serde(default)]
        parallel: Option<bool>,
    },
    Identity,
}

/// The module types OpenFlow knows; all others are rejected as unknown.
const KNOWN_UNSUPPORTED: &[&str] = &["script", "flow", "aiagent"];

/// A flow that cannot be executed locally (a usage error, exit code 2 in the CLI).
#[derive(Debug, Clone, thiserror::Error)]
pub enum FlowError {
    #[error("invalid OpenFlow JSON: {0}")]
    Json(String),
    #[error("module `{id}`: {msg}")]
    Module { id: String, msg: String },
}

impl FlowModule {
    /// The typed value of this module, or an error naming the module.
    pub fn kind(&self) -> Result<ModuleValue, FlowError> {
        let ty = self.value.get("type").and_then(Value::as_str).unwrap_or("");
        let err = |msg: String| FlowError::Module {
            id: self.id.clone(),
            msg,
        };
        match ty {
            "rawscript" | "forloopflow" | "whileloopflow" | "branchone" | "branchall"
            | "identity" => serde_json::from_value(self.value.clone())
                .map_err(|e| err(format!("invalid `{ty}` module: {e}"))),
            t if KNOWN_UNSUPPORTED.contains(&t) => Err(err(format!(
                "module type `{t}` is not supported by the local executor (it needs a Windmill \
                 server to resolve the referenced script/flow)"
            ))),
            "" => Err(err("module value has no `type`".into())),
            t => Err(err(format!("unknown module type `{t}`"))),
        }
    }
}

/// Parse OpenFlow JSON text: either a full `OpenFlow` document (with `value`) or a bare
/// `FlowValue` (with `modules`).
pub fn parse_flow_json(text: &str) -> Result<FlowValue, FlowError> {
    let v: Value = serde_json::from_str(text).map_err(|e| FlowError::Json(e.to_string()))?;
    flow_from_value(v)
}

/// Same as [`parse_flow_json`] from an already parsed JSON value.
pub fn flow_from_value(v: Value) -> Result<FlowValue, FlowError> {
    let inner = match v.get("value") {
        Some(value) if value.get("modules").is_some() => value.clone(),
        _ => v,
    };
    serde_json::from_value(inner).map_err(|e| FlowError::Json(e.to_string()))
}

/// Check every module (recursively) up front, so that a flow with an unsupported module or
/// language fails before anything runs.
pub fn validate(flow: &FlowValue) -> Result<(), FlowError> {
    fn walk(modules: &[FlowModule]) -> Result<(), FlowError> {
        for m in modules {
            validate_module(m)?;
        }
        Ok(())
    }
    fn validate_module(m: &FlowModule) -> Result<(), FlowError> {
        match m.kind()? {
            ModuleValue::RawScript {
                language,
                input_transforms,
                ..
            } => {
                if language != "bash" {
                    return Err(FlowError::Module {
                        id: m.id.clone(),
                        msg: format!(
                            "language `{language}` is not supported by the local executor \
                             (only `bash`)"
                        ),
                    });
                }
                for (k, v) in &input_transforms {
                    serde_json::from_value::<InputTransform>(v.clone()).map_err(|e| {
                        FlowError::Module {
                            id: m.id.clone(),
                            msg: format!("invalid input transform `{k}`: {e}"),
                        }
                    })?;
                }
                Ok(())
            }
            ModuleValue::ForLoopFlow { modules, .. }
            | ModuleValue::WhileLoopFlow { modules, .. } => walk(&modules),
            ModuleValue::BranchOne { branches, default } => {
                for b in &branches {
                    walk(&b.modules)?;
                }
                walk(&default)
            }
            ModuleValue::BranchAll { branches, .. } => {
                for b in &branches {
                    walk(&b.modules)?;
                }
                Ok(())
            }
            ModuleValue::Identity => Ok(()),
        }
    }
    walk(&flow.modules)?;
    if let Some(f) = &flow.failure_module {
        validate_module(f)?;
    }
    if let Some(p) = &flow.preprocessor_module {
        return Err(FlowError::Module {
            id: p.id.clone(),
            msg: "preprocessor_module is not supported by the local executor".into(),
        });
    }
    Ok(())
}
