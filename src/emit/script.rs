//! The one typed builder for step scripts. A step module is a thin bash shim: the bash
//! signature (the only four arguments), the code bundle in a quoted heredoc, and the step's
//! static plan in a second quoted heredoc, fed to the bundled Python runner. Nothing in the
//! content is ever expanded by bash except `$PY` and the four argument variables, which are
//! passed to the runner as quoted words.

use serde::Serialize;

/// The bash arguments of every step module, in signature order (`$1..$4`).
pub const STEP_ARGS: [&str; 4] = ["run_id", "index_path", "input_ref", "params_b64"];

/// How a step's `--input-paths` are formed (interpreted by `_mfwm/runner.py`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum InputPlan {
    /// `R/_parameters/params` (the start step; runs `init` first).
    Params,
    /// `R/<pred>/tid(P)`.
    Same { pred: String },
    /// `R/<pred>/tid(P[:-1])` and `--split-index P[-1]` (first step of a foreach body).
    Split { pred: String },
    /// `input_ref` is the JSON array of a branchall's results: one path per branch.
    Branches,
    /// `input_ref` is the foreach cardinality n: `R/<pred>/tid(P)-:0,…,n-1`.
    Foreach { pred: String },
    /// `input_ref` is `step/task,step/task,…` of every iteration; sorted by `order`.
    Tails { order: Vec<String> },
    /// `input_ref` is the pathspec of the predecessor that ran.
    Ref,
}

/// One parameter as the runner passes it to `init`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanParam {
    pub name: String,
    /// `str`, `int`, `float`, `bool`, `json`, `file`.
    #[serde(rename = "type")]
    pub kind: String,
    /// IncludeFile: the literal default path, passed explicitly when no value is given
    /// (Metaflow's `init` does not evaluate IncludeFile defaults; Argo resolves them at
    /// deploy time). The file travels in the bundle; `init` runs in the bundle dir.
    /// With `--metaflow-resolved`: every parameter's evaluated default, as init's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// The static per-step plan embedded in each script.
#[derive(Debug, Clone, Serialize)]
pub struct StepPlan {
    pub v: u32,
    pub flow: String,
    pub flow_file: String,
    pub step: String,
    pub is_start: bool,
    pub node_type: String,
    pub bundle_sha256: String,
    pub metaflow_version: String,
    /// Top-level options of `step` (includes `--with windmill_internal`).
    pub top: Vec<String>,
    /// Top-level options of `init` and `dump`.
    pub init_top: Vec<String>,
    pub input: InputPlan,
    /// The step is the body of a recursive-switch loop: the last index segment is `w<k>`.
    #[serde(rename = "loop")]
    pub in_loop: bool,
    pub user_retries: u32,
    /// Windmill retry attempts configured on the module (0 = never retried).
    pub attempts: u32,
    pub env: serde_json::Map<String, serde_json::Value>,
    pub tags: Vec<String>,
    pub namespace: Option<String>,
    pub max_num_splits: u32,
    pub local_root: Option<String>,
    pub params: Vec<PlanParam>,
}

/// A step script: bundle + plan → bash content.
pub struct StepScript<'a> {
    pub flow: &'a str,
    pub python: &'a str,
    /// The code bundle, base64 (wrapped at 76 columns when rendered).
    pub bundle_b64: &'a str,
    pub plan: &'a StepPlan,
}

/// Single-quote a word for bash.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl StepScript<'_> {
    pub fn render(&self) -> String {
        let mut s = String::with_capacity(self.bundle_b64.len() + 2048);
        for (i, a) in STEP_ARGS.iter().enumerate() {
            s.push_str(&format!("{a}=\"${}\"\n", i + 1));
        }
        s.push_str(&format!(
            "# mf-windmill {} - {} step '{}' (generated; do not edit)\n",
            env!("CARGO_PKG_VERSION"),
            self.flow,
            self.plan.step
        ));
        s.push_str(&format!("PY={}\n", shell_quote(self.python)));
        s.push_str("command -v \"$PY\" >/dev/null 2>&1 || { echo \"mf-windmill: '$PY' not found on this worker\" >&2; exit 1; }\n");
        s.push_str("mkdir -p code\n");
        s.push_str("base64 -d > code.tgz <<'MFWM_BUNDLE'\n");
        let bytes = self.bundle_b64.as_bytes();
        for chunk in bytes.chunks(76) {
            s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
            s.push('\n');
        }
        s.push_str("MFWM_BUNDLE\n");
        s.push_str("tar -xzf code.tgz -C code\n");
        s.push_str("\"$PY\" code/_mfwm/runner.py \"$run_id\" \"$index_path\" \"$input_ref\" \"$params_b64\" <<'MFWM_PLAN'\n");
        s.push_str(&serde_json::to_string(self.plan).unwrap_or_default());
        s.push('\n');
        s.push_str("MFWM_PLAN\n");
        s
    }
}

/// The bash module failing loudly when a switch chose a case the compiled flow does not
/// know (the `default` of every `branchone`).
pub fn unknown_case_script(step: &str) -> String {
    format!(
        "next=\"$1\"\n# mf-windmill: default branch of switch step '{step}'\nprintf 'mf-windmill: switch step %s chose unknown case %s\\n' '{step}' \"$next\" >&2\nexit 1\n"
    )
}

/// A relay module: an otherwise empty switch branch passes the switch step's own result
/// on, so that the branchone has a result naming the predecessor that ran.
pub fn relay_script() -> String {
    "pathspec=\"$1\"\ntail=\"$2\"\n# mf-windmill: relay (a switch case that goes straight to the merge step)\nprintf '{\"pathspec\":\"%s\",\"tail\":\"%s\"}' \"$pathspec\" \"$tail\" > result.json\n".to_string()
}
