//! The one typed builder for step scripts. A step module is a thin bash shim: the bash
//! signature (the only four arguments) and one `exec "$PY" -c LOADER args…` fed by quoted
//! heredocs: the step's static plan (fd 3), the code bundle (fd 4, **start step only**) and
//! the small bootstrap `_mfwm/boot.py` (stdin, compressed). The bootstrap gets the flow's one code bundle into the
//! worker's cache (start: from its own script, storing it in the flow's datastore first;
//! every other step: fetched by sha256 from the datastore, once per worker) and runs the
//! bundled runner from there. So the bundle (user code, runner, extension) is in the
//! compiled flow once, and the output grows linearly with the number of steps, like Argo's
//! code package (uploaded once, downloaded per pod) but without an extra artifact.
//! Nothing in the content is ever expanded by bash except `$PY` and the four argument
//! variables, which are passed to Python as quoted words.

use serde::Serialize;

/// The bash arguments of every step module, in signature order (`$1..$5`). `resume` is
/// empty except in a resumed run (issue 13, `_mfwm/clone.py`).
pub const STEP_ARGS: [&str; 5] = ["run_id", "index_path", "input_ref", "params_b64", "resume"];

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

impl InputPlan {
    /// The predecessor step named by the plan (whose task ids the runner forms).
    pub fn pred(&self) -> Option<&str> {
        match self {
            InputPlan::Same { pred } | InputPlan::Split { pred } | InputPlan::Foreach { pred } => {
                Some(pred)
            }
            _ => None,
        }
    }
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
    /// The flow listens to events (@trigger/@trigger_on_finish): a step other than start
    /// reads the run's trigger back from the start task's metadata (`current.trigger`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub triggered: bool,
    pub node_type: String,
    pub bundle_sha256: String,
    pub metaflow_version: String,
    /// Top-level options of `step` (includes `--with windmill_internal`).
    pub top: Vec<String>,
    /// Top-level options of `init` and `dump`.
    pub init_top: Vec<String>,
    pub input: InputPlan,
    /// Task-id prefixes (`t<k>`, k = 1 + the step's place in Metaflow's `sorted_nodes`) of
    /// this step and of the predecessor its input plan names: a task id is the prefix plus
    /// `-<seg>` per enclosing loop, so ids are unique within a run (design §4.1).
    pub task_prefixes: std::collections::BTreeMap<String, String>,
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
    /// Metaflow's datastore type and root: where the start step stores the code bundle
    /// (`<root>/<Flow>/_mfwm/code/<sha256>.tgz`) and every other step fetches it.
    pub datastore: String,
    pub datastore_root: String,
    /// Set for the local datastore (plain files, no Metaflow import in the bootstrap).
    pub local_root: Option<String>,
    pub params: Vec<PlanParam>,
}

/// The bootstrap every step script carries; the runner it starts is in the bundle.
pub const BOOT_PY: &str = include_str!("runtime/_mfwm/boot.py");

/// How a step script starts Python: the program is the zlib-compressed, base64 bootstrap
/// on stdin (stdlib `zlib` + `binascii` only, no extra process). Compressed because it is
/// the one part repeated in every step: ~2.5 KB instead of ~5 KB of escaped JSON text.
pub(crate) const BOOT_LOADER: &str =
    "import sys,zlib,binascii;exec(zlib.decompress(binascii.a2b_base64(sys.stdin.buffer.read())))";

/// [`BOOT_PY`] zlib-compressed (best, deterministic) and base64-encoded: the same bytes in
/// every step of every flow compiled by this binary.
pub fn boot_b64() -> &'static str {
    static B: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        use base64::Engine as _;
        use std::io::Write as _;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = z.write_all(BOOT_PY.as_bytes());
        let bytes = z.finish().unwrap_or_default();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    })
}

fn push_wrapped(s: &mut String, b64: &str) {
    for chunk in b64.as_bytes().chunks(76) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
}

/// A step script: plan (+ bundle for the start step) → bash content.
pub struct StepScript<'a> {
    pub flow: &'a str,
    pub python: &'a str,
    /// The code bundle, base64 (wrapped at 76 columns when rendered): `Some` for the start
    /// step only, which stores it in the flow's datastore for every other step.
    pub bundle_b64: Option<&'a str>,
    pub plan: &'a StepPlan,
}

/// Opening lines of a module that must never change the run's outcome (exit hooks, the
/// finish event): `PY`, a `passthrough` function writing the previous result (`$prev`) as
/// the module's result, and the check that the interpreter exists, which passes the result
/// on and exits 0 when it does not, saying what is `lost`.
pub fn passthrough_preamble(python: &str, lost: &str) -> String {
    format!(
        "PY={}\n\
         passthrough() {{ case \"$prev\" in '{{'*|'['*) printf '%s' \"$prev\" ;; *) printf 'null' ;; esac > result.json; }}\n\
         command -v \"$PY\" >/dev/null 2>&1 || {{ echo \"mf-windmill: '$PY' not found on this worker: {lost}\" >&2; passthrough; exit 0; }}\n",
        shell_quote(python)
    )
}

/// Single-quote a word for bash.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl StepScript<'_> {
    pub fn render(&self) -> String {
        let bundle_len = self.bundle_b64.map_or(0, |b| b.len() + b.len() / 76 + 1);
        let boot = boot_b64();
        let mut s = String::with_capacity(bundle_len + boot.len() * 77 / 76 + 2048);
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
        // Heredoc bodies follow in redirection order: plan (fd 3), bundle (fd 4), boot (stdin).
        s.push_str(&format!("exec \"$PY\" -c '{BOOT_LOADER}' \"$run_id\" \"$index_path\" \"$input_ref\" \"$params_b64\" \"$resume\" 3<<'MFWM_PLAN'"));
        if self.bundle_b64.is_some() {
            s.push_str(" 4<<'MFWM_BUNDLE'");
        }
        s.push_str(" <<'MFWM_BOOT'\n");
        s.push_str(&serde_json::to_string(self.plan).unwrap_or_default());
        s.push_str("\nMFWM_PLAN\n");
        if let Some(b64) = self.bundle_b64 {
            push_wrapped(&mut s, b64);
            s.push_str("MFWM_BUNDLE\n");
        }
        push_wrapped(&mut s, boot);
        s.push_str("MFWM_BOOT\n");
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
