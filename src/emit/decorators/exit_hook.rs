//! `@exit_hook(on_success=[...], on_error=[...])` → Windmill's own end-of-flow modules.
//!
//! Metaflow runs each hook function once after the run ends (Argo: lifecycle hooks on the
//! workflow's exit running `python -m metaflow.plugins.exit_hook.exit_hook_script
//! FLOW_FILE FN RUN_PATHSPEC` in the flow's code package; `argo_workflows.py`
//! `_lifecycle_hook_from_deco`). On Windmill:
//!
//! - `on_success`: a last top-level module (`_exit_hooks_on_success`): it only runs when
//!   every step before it succeeded;
//! - `on_error`: the flow's `failure_module` (id `failure`), which Windmill runs when a
//!   module fails after its retries (`worker_flow.rs`). Windmill also runs the flow's
//!   failure module inside each failing loop iteration or branch subflow
//!   (`../shared/docs/windmill.md`): there it is a no-op (its flow job is not the run's),
//!   so the hooks run once, at the top level.
//!
//! Both modules succeed whatever the hooks do and pass the previous result on (the end
//! step's result, or the run's error) with an `exit_hooks` report; the failure module never
//! returns `{"recover": true}`, so a failed run stays failed and a hook's failure never
//! fails a successful run. The script is the step bootstrap (`_mfwm/boot.py`, which gets
//! the flow's code bundle from the datastore) with `runtime/exit_hooks.py` as its main.

use serde::Serialize;
use serde_json::{Map, Value};

use super::super::openflow::{FlowModule, InputTransform, Language, ModuleValue};
use super::super::script::{BOOT_LOADER, BOOT_PY, passthrough_preamble};
use super::super::{Emitter, METAFLOW_VERSION};
use crate::graph::lint::windmill::exit_hooks::flow_hooks;
use crate::parse::model::Flow;

/// The hooks' program: the bootstrap's helpers, then `exit_hooks.py`.
const HOOKS_PY: &str = include_str!("../runtime/exit_hooks.py");

/// Module id of the on_success hooks (step names never start with `_`).
pub const SUCCESS_ID: &str = "_exit_hooks_on_success";
/// Windmill's id of a flow's failure module.
pub const FAILURE_ID: &str = "failure";

/// The end-of-flow modules of a flow with @exit_hook.
#[derive(Debug, Default)]
pub struct ExitHooks {
    pub on_success: Option<FlowModule>,
    pub failure: Option<FlowModule>,
}

#[derive(Serialize)]
struct HookPlan<'a> {
    v: u32,
    flow: &'a str,
    flow_file: &'a str,
    bundle_sha256: &'a str,
    metaflow_version: &'a str,
    /// `on_success` or `on_error`.
    outcome: &'a str,
    hooks: &'a [String],
    env: Map<String, Value>,
    datastore: &'a str,
    datastore_root: &'a str,
    local_root: Option<&'a str>,
}

/// The bootstrap without its final `main()` call, followed by the hooks' main;
/// zlib-compressed and base64-encoded like the steps' bootstrap.
fn program_b64() -> &'static str {
    static B: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    B.get_or_init(|| {
        use base64::Engine as _;
        use std::io::Write as _;
        let boot = BOOT_PY.trim_end();
        let boot = boot.strip_suffix("main()").unwrap_or(boot);
        let src = format!("{boot}{HOOKS_PY}");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = z.write_all(src.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap_or_default())
    })
}

fn script(em: &Emitter, outcome: &str, hooks: &[String]) -> String {
    let s = &em.settings;
    let mut env: Map<String, Value> = s
        .env
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    // What Metaflow's client in a hook (`run=Run(...)`) needs to find the run: the steps
    // get these as top-level options instead.
    let sysroot = match &s.local_root {
        Some(r) => std::path::Path::new(r)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| r.clone()),
        None => s.datastore_root.clone(),
    };
    for (k, v) in [
        ("METAFLOW_DEFAULT_METADATA".to_string(), s.metadata.clone()),
        (
            "METAFLOW_DEFAULT_DATASTORE".to_string(),
            s.datastore.clone(),
        ),
        (
            format!(
                "METAFLOW_DATASTORE_SYSROOT_{}",
                s.datastore.to_ascii_uppercase()
            ),
            sysroot,
        ),
    ] {
        env.entry(k).or_insert(Value::String(v));
    }
    for k in ["METAFLOW_USER", "METAFLOW_OWNER", "USERNAME"] {
        env.insert(k.into(), Value::String(em.opts.user.clone()));
    }
    let plan = HookPlan {
        v: 1,
        flow: &em.g.flow.name,
        flow_file: &em.flow_rel,
        bundle_sha256: &em.bundle_sha,
        metaflow_version: METAFLOW_VERSION,
        outcome,
        hooks,
        env,
        datastore: &s.datastore,
        datastore_root: &s.datastore_root,
        local_root: s.local_root.as_deref(),
    };
    let mut out = String::new();
    out.push_str("run_id=\"$1\"\nprev=\"$2\"\n");
    out.push_str(&format!(
        "# mf-windmill {} - {} exit hooks {outcome} (generated; do not edit)\n",
        env!("CARGO_PKG_VERSION"),
        em.g.flow.name
    ));
    // Whatever happens, the module succeeds and passes the previous result on.
    out.push_str(&passthrough_preamble(&em.opts.python, "exit hooks not run"));
    out.push_str(&format!(
        "\"$PY\" -c '{BOOT_LOADER}' \"$run_id\" \"$prev\" 3<<'MFWM_PLAN' <<'MFWM_BOOT' || {{ echo \"mf-windmill: the exit hooks could not run; the run's outcome is unchanged\" >&2; passthrough; }}\n"
    ));
    out.push_str(&serde_json::to_string(&plan).unwrap_or_default());
    out.push_str("\nMFWM_PLAN\n");
    for chunk in program_b64().as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("MFWM_BOOT\n");
    out.push_str("[ -s result.json ] || passthrough\n");
    out
}

fn module(em: &Emitter, id: &str, outcome: &str, hooks: &[String]) -> FlowModule {
    let mut it = Map::new();
    let start = &em.start_id;
    it.insert(
        "run_id".into(),
        InputTransform::js(format!(
            "(results.{start} && results.{start}.run_id) || \"\""
        ))
        .to_value(),
    );
    it.insert(
        "prev".into(),
        InputTransform::js("previous_result").to_value(),
    );
    FlowModule {
        id: id.to_string(),
        summary: format!("@exit_hook {outcome}: {}", hooks.join(", ")),
        value: ModuleValue::RawScript {
            language: Language::Bash,
            content: script(em, outcome, hooks),
            input_transforms: it,
            tag: None,
        },
        retry: None,
        timeout: None,
        stop_after_if: None,
    }
}

/// The flow's end-of-flow modules (none without @exit_hook).
pub(in crate::emit) fn lower(em: &Emitter, flow: &Flow) -> Result<ExitHooks, String> {
    let hooks = flow_hooks(&flow.decorators)?;
    Ok(ExitHooks {
        on_success: (!hooks.on_success.is_empty())
            .then(|| module(em, SUCCESS_ID, "on_success", &hooks.on_success)),
        failure: (!hooks.on_error.is_empty())
            .then(|| module(em, FAILURE_ID, "on_error", &hooks.on_error)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_is_the_bootstrap_without_its_main_call() {
        let boot = BOOT_PY.trim_end();
        assert!(
            boot.ends_with("\nmain()"),
            "boot.py must end with its main() call"
        );
        use base64::Engine as _;
        use std::io::Read as _;
        let z = base64::engine::general_purpose::STANDARD
            .decode(program_b64())
            .unwrap();
        let mut src = String::new();
        flate2::read::ZlibDecoder::new(&z[..])
            .read_to_string(&mut src)
            .unwrap();
        assert!(src.contains("def fetch(plan, key):"));
        assert!(src.trim_end().ends_with("hooks_main()"));
        assert!(!src.contains("\nmain()\n"));
    }
}
