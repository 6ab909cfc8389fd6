//! `--metaflow-resolved FILE`: what Metaflow itself sees of a flow, written by the Metaflow
//! extension (`python flow.py windmill create ...`) after Metaflow evaluated the flow, and
//! laid over the static reading before the flow is checked and compiled
//! (`docs/metaflow-resolved.md` is the contract).
//!
//! Metaflow's view wins, but never silently: a value that differs from a literal in the
//! file is a warning, a graph or a parameter set that differs is an error (a bug to report:
//! we never compile a different graph than Metaflow's).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use super::settings::{self, Settings};
use crate::graph::FlowGraph;
use crate::parse::literal::Literal;
use crate::parse::model::{Arg, ArgValue, Decorator, Flow, Loc, Origin, ParamKind, ParameterDecl};

/// The only version of the file format.
pub const VERSION: u64 = 1;

/// Where the bundle carries the config values, relative to the bundle root (= the cwd of
/// every `init` and `step`).
pub const CONFIG_FILE: &str = "_mfwm/config.json";

/// One decorator as Metaflow holds it: its name and its evaluated attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedDecorator {
    pub name: String,
    pub attributes: Map<String, Json>,
    /// Metaflow's `Decorator.inserted_by`: the FlowMutator/StepMutator chain that added it
    /// (empty when written in the file or given with `--with`). Mutators run again in
    /// every step process (with the same configs), so such a decorator is compiled but
    /// needs no `--with`.
    pub inserted_by: Vec<String>,
}

/// One node of Metaflow's `FlowGraph`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedNode {
    pub node_type: String,
    pub out_funcs: Vec<String>,
}

/// One Parameter or IncludeFile as Metaflow evaluated it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedParameter {
    pub name: String,
    /// `str`, `int`, `float`, `bool`, `json`, `file`.
    pub kind: String,
    /// The evaluated default (deploy-time functions called); `Null` = no default.
    pub default: Json,
    pub required: Option<bool>,
    pub help: Option<String>,
}

/// The Metaflow settings of the deployment (what `metaflow_config` resolved).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSettings {
    pub metadata: String,
    pub datastore: String,
    pub datastore_root: String,
    pub environment: String,
    pub event_logger: String,
    pub monitor: String,
}

/// The parsed `--metaflow-resolved` file.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub metaflow_version: Option<String>,
    pub flow: String,
    /// Metaflow's graph, in the file's order.
    pub graph: Vec<(String, ResolvedNode)>,
    pub steps: BTreeMap<String, Vec<ResolvedDecorator>>,
    pub flow_decorators: Vec<ResolvedDecorator>,
    pub parameters: Vec<ResolvedParameter>,
    /// `config_file` verbatim (Metaflow's `dump_config_values`), when there are configs.
    pub config_file: Option<Json>,
    pub configs: Vec<String>,
    pub settings: Option<ResolvedSettings>,
    /// Values that were not JSON (the extension wrote their `repr()`).
    pub unserializable: Vec<Unserializable>,
    /// Files Metaflow's own code package would carry besides the flow's directory: the
    /// Metaflow extensions in use (`package_files`: `{path, arcname}`; MF
    /// `extension_support.package_mfext_all`), as (name in the bundle, file to read).
    pub package_files: Vec<(String, PathBuf)>,
}

/// One entry of `unserializable`.
#[derive(Debug, Clone, PartialEq)]
pub enum Unserializable {
    /// `[step, decorator, attribute]`.
    Step {
        step: String,
        deco: String,
        attr: String,
    },
    /// `["<flow>", decorator, attribute]` (or `null` first).
    Flow { deco: String, attr: String },
    /// `["<parameter>", name]`: the parameter's default.
    Parameter { name: String },
}

/// What the emitter takes from the file (beyond the overlaid flow model).
#[derive(Debug, Clone, Default)]
pub struct EmitOverlay {
    pub settings: Option<ResolvedSettings>,
    /// `_mfwm/config.json` of the bundle (present iff `configs` is non-empty).
    pub config_json: Option<String>,
    pub configs: Vec<String>,
    /// Extra files of the code bundle (name in the bundle, file to read).
    pub package_files: Vec<(String, PathBuf)>,
}

impl EmitOverlay {
    /// The top-level options Metaflow's local runtime passes for configs
    /// (`runtime.py` `CLIArgs.__init__` and `Worker._launch`): `--config-value NAME kv.NAME`
    /// for each config, then `--local-config-file FILE`.
    pub fn config_options(&self) -> Vec<String> {
        if self.configs.is_empty() {
            return vec![];
        }
        let mut out = vec![];
        for c in &self.configs {
            out.extend(["--config-value".to_string(), c.clone(), format!("kv.{c}")]);
        }
        out.extend(["--local-config-file".to_string(), CONFIG_FILE.to_string()]);
        out
    }

    /// The settings, Metaflow's where the file has them; `Err` = a compile error. Warnings
    /// tell where they differ from what the compile environment alone resolves to.
    pub fn resolve_settings(
        &self,
        env: &[(String, String)],
        datastore_root: Option<&Path>,
    ) -> Result<(Settings, Vec<String>), String> {
        let env_of = |list: &[(String, String)], k: &str| {
            list.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone())
        };
        let Some(s) = &self.settings else {
            let st = settings::resolve(&|k| env_of(env, k), env, datastore_root)?;
            return Ok((st, vec![]));
        };
        let mut over: Vec<(String, String)> = env
            .iter()
            .filter(|(k, _)| !MF_SETTING_KEYS.iter().any(|(key, _)| key == k))
            .cloned()
            .collect();
        for (key, field) in MF_SETTING_KEYS {
            over.push((key.to_string(), field(s).to_string()));
        }
        let root = PathBuf::from(&s.datastore_root);
        let st = settings::resolve(&|k| env_of(&over, k), &over, Some(&root))
            .map_err(|e| format!("settings of --metaflow-resolved: {e}"))?;
        let mut warnings = vec![];
        if let Ok(mine) = settings::resolve(&|k| env_of(env, k), env, datastore_root) {
            let pairs = [
                ("metadata", &mine.metadata, &st.metadata),
                ("datastore", &mine.datastore, &st.datastore),
                ("datastore_root", &mine.datastore_root, &st.datastore_root),
                ("environment", &mine.environment, &st.environment),
                ("event_logger", &mine.event_logger, &st.event_logger),
                ("monitor", &mine.monitor, &st.monitor),
            ];
            for (what, a, b) in pairs {
                if a != b {
                    warnings.push(format!(
                        "setting {what}: Metaflow resolved `{b}` (used), the compile environment alone gives `{a}`"
                    ));
                }
            }
        }
        Ok((st, warnings))
    }
}

type Field = fn(&ResolvedSettings) -> &str;

/// The `METAFLOW_*` keys `settings::resolve` reads each setting from.
const MF_SETTING_KEYS: [(&str, Field); 5] = [
    ("METAFLOW_DEFAULT_METADATA", |s| &s.metadata),
    ("METAFLOW_DEFAULT_DATASTORE", |s| &s.datastore),
    ("METAFLOW_DEFAULT_ENVIRONMENT", |s| &s.environment),
    ("METAFLOW_DEFAULT_EVENT_LOGGER", |s| &s.event_logger),
    ("METAFLOW_DEFAULT_MONITOR", |s| &s.monitor),
];

/// Attributes the emitter reads, per decorator (an unserializable one is a loud warning).
fn used_attribute(deco: &str, attr: &str) -> bool {
    matches!(
        (deco, attr),
        ("retry", "times" | "minutes_between_retries")
            | ("timeout", "seconds" | "minutes" | "hours")
            | ("environment", "vars")
            | ("project", "name" | "branch" | "production")
            | (
                "schedule",
                "cron" | "hourly" | "daily" | "weekly" | "timezone"
            )
    )
}

/// Reading the file: errors name the JSON path of the bad field.
struct Reader;

fn at(path: &str, msg: impl std::fmt::Display) -> String {
    format!("`{path}`: {msg}")
}

fn obj<'a>(v: &'a Json, path: &str) -> Result<&'a Map<String, Json>, String> {
    v.as_object()
        .ok_or_else(|| at(path, format!("expected an object, got {}", kind(v))))
}

fn arr<'a>(v: &'a Json, path: &str) -> Result<&'a Vec<Json>, String> {
    v.as_array()
        .ok_or_else(|| at(path, format!("expected an array, got {}", kind(v))))
}

fn string(v: &Json, path: &str) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| at(path, format!("expected a string, got {}", kind(v))))
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn field<'a>(m: &'a Map<String, Json>, path: &str, key: &str) -> Result<&'a Json, String> {
    m.get(key)
        .ok_or_else(|| at(path, format!("missing field `{key}`")))
}

/// `path` + `.key`, or `["key"]` when the key is not an identifier.
fn sub(path: &str, key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", serde_json::to_string(key).unwrap_or_default())
    }
}

impl Reader {
    fn decorators(v: &Json, path: &str) -> Result<Vec<ResolvedDecorator>, String> {
        let mut out = vec![];
        for (i, d) in arr(v, path)?.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let m = obj(d, &p)?;
            let name = string(field(m, &p, "name")?, &sub(&p, "name"))?;
            let attributes = match m.get("attributes") {
                None | Some(Json::Null) => Map::new(),
                Some(a) => obj(a, &sub(&p, "attributes"))?.clone(),
            };
            let inserted_by = match m.get("inserted_by") {
                None | Some(Json::Null) => vec![],
                Some(a) => arr(a, &sub(&p, "inserted_by"))?
                    .iter()
                    .enumerate()
                    .map(|(k, x)| string(x, &format!("{p}.inserted_by[{k}]")))
                    .collect::<Result<_, _>>()?,
            };
            out.push(ResolvedDecorator {
                name,
                attributes,
                inserted_by,
            });
        }
        Ok(out)
    }

    fn parameter(v: &Json, path: &str) -> Result<ResolvedParameter, String> {
        let m = obj(v, path)?;
        let name = string(field(m, path, "name")?, &sub(path, "name"))?;
        let ptype = string(field(m, path, "type")?, &sub(path, "type"))?;
        if !matches!(
            ptype.as_str(),
            "str" | "int" | "float" | "bool" | "json" | "file"
        ) {
            return Err(at(
                &sub(path, "type"),
                format!("`{ptype}` is not one of str, int, float, bool, json, file"),
            ));
        }
        let default = m.get("default").cloned().unwrap_or(Json::Null);
        let required = match m.get("required") {
            None | Some(Json::Null) => None,
            Some(Json::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(at(
                    &sub(path, "required"),
                    format!("expected a boolean, got {}", kind(other)),
                ));
            }
        };
        let help = match m.get("help") {
            None | Some(Json::Null) => None,
            Some(h) => Some(string(h, &sub(path, "help"))?),
        };
        Ok(ResolvedParameter {
            name,
            kind: ptype,
            default,
            required,
            help,
        })
    }

    fn settings(v: &Json, path: &str) -> Result<ResolvedSettings, String> {
        let m = obj(v, path)?;
        let get = |k: &str| -> Result<String, String> {
            let s = string(field(m, path, k)?, &sub(path, k))?;
            if s.is_empty() {
                return Err(at(&sub(path, k), "must not be empty"));
            }
            Ok(s)
        };
        Ok(ResolvedSettings {
            metadata: get("metadata")?,
            datastore: get("datastore")?,
            datastore_root: get("datastore_root")?,
            environment: get("environment")?,
            event_logger: get("event_logger")?,
            monitor: get("monitor")?,
        })
    }
}

impl Resolved {
    /// Read and validate the file. `Err` is a message naming the bad field.
    pub fn load(path: &Path) -> Result<Resolved, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
        let v: Json = serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?;
        Self::from_json(&v)
    }

    pub fn from_json(v: &Json) -> Result<Resolved, String> {
        let root = obj(v, "$")?;
        match field(root, "$", "v")? {
            Json::Number(n) if n.as_u64() == Some(VERSION) => {}
            other => {
                return Err(at(
                    "$.v",
                    format!(
                        "version {other} is not supported: this mf-windmill reads version {VERSION}; use the Metaflow extension released with it"
                    ),
                ));
            }
        }
        let metaflow_version = match root.get("metaflow_version") {
            None | Some(Json::Null) => None,
            Some(s) => Some(string(s, "$.metaflow_version")?),
        };
        let flow = string(field(root, "$", "flow")?, "$.flow")?;
        let mut graph = vec![];
        for (name, n) in obj(field(root, "$", "graph")?, "$.graph")? {
            let p = sub("$.graph", name);
            let m = obj(n, &p)?;
            let node_type = string(field(m, &p, "type")?, &sub(&p, "type"))?;
            let mut out_funcs = vec![];
            for (i, f) in arr(field(m, &p, "out_funcs")?, &sub(&p, "out_funcs"))?
                .iter()
                .enumerate()
            {
                out_funcs.push(string(f, &format!("{}[{i}]", sub(&p, "out_funcs")))?);
            }
            graph.push((
                name.clone(),
                ResolvedNode {
                    node_type,
                    out_funcs,
                },
            ));
        }
        let mut steps = BTreeMap::new();
        for (name, s) in obj(field(root, "$", "steps")?, "$.steps")? {
            let p = sub("$.steps", name);
            let m = obj(s, &p)?;
            let decos = Reader::decorators(field(m, &p, "decorators")?, &sub(&p, "decorators"))?;
            steps.insert(name.clone(), decos);
        }
        let flow_decorators = match root.get("flow_decorators") {
            None | Some(Json::Null) => vec![],
            Some(d) => Reader::decorators(d, "$.flow_decorators")?,
        };
        let mut parameters = vec![];
        for (i, p) in arr(field(root, "$", "parameters")?, "$.parameters")?
            .iter()
            .enumerate()
        {
            parameters.push(Reader::parameter(p, &format!("$.parameters[{i}]"))?);
        }
        let mut configs = vec![];
        if let Some(c) = root.get("configs").filter(|c| !c.is_null()) {
            for (i, n) in arr(c, "$.configs")?.iter().enumerate() {
                configs.push(string(n, &format!("$.configs[{i}]"))?);
            }
        }
        let config_file = match root.get("config_file") {
            None | Some(Json::Null) => None,
            Some(c) => Some(c.clone()),
        };
        if !configs.is_empty() {
            let Some(cf) = &config_file else {
                return Err(at(
                    "$.config_file",
                    "missing, but `configs` names configs: it must be Metaflow's `dump_config_values(flow)`",
                ));
            };
            let uc = obj(
                field(obj(cf, "$.config_file")?, "$.config_file", "user_configs")?,
                "$.config_file.user_configs",
            )?;
            for c in &configs {
                let p = sub("$.config_file.user_configs", c);
                let Some(entry) = uc.get(c) else {
                    return Err(at(
                        &p,
                        format!("missing: config `{c}` is listed in `configs`"),
                    ));
                };
                // Metaflow 2.19 stores `(value, is_plain)` per config and unpacks it when a
                // step reads `kv.<name>` (`ConfigInput.process_configs`).
                match entry.as_array().map(Vec::as_slice) {
                    Some([_, Json::Bool(_)]) => {}
                    _ => {
                        return Err(at(
                            &p,
                            format!(
                                "expected [value, is_plain] as Metaflow's dump_config_values writes it, got {}",
                                kind(entry)
                            ),
                        ));
                    }
                }
            }
        }
        let settings = match root.get("settings") {
            None | Some(Json::Null) => None,
            Some(s) => Some(Reader::settings(s, "$.settings")?),
        };
        let mut package_files = vec![];
        if let Some(pf) = root.get("package_files").filter(|u| !u.is_null()) {
            for (i, e) in arr(pf, "$.package_files")?.iter().enumerate() {
                let p = format!("$.package_files[{i}]");
                let m = obj(e, &p)?;
                let path = string(field(m, &p, "path")?, &sub(&p, "path"))?;
                let arcname = string(field(m, &p, "arcname")?, &sub(&p, "arcname"))?;
                let safe = arcname.starts_with("metaflow_extensions/")
                    && !arcname.contains("..")
                    && !arcname.contains('\\')
                    && Path::new(&path).is_absolute();
                if !safe {
                    return Err(at(
                        &p,
                        format!("not a Metaflow extension file ({arcname} from {path})"),
                    ));
                }
                package_files.push((arcname, PathBuf::from(path)));
            }
        }
        let mut unserializable = vec![];
        if let Some(u) = root.get("unserializable").filter(|u| !u.is_null()) {
            for (i, e) in arr(u, "$.unserializable")?.iter().enumerate() {
                let p = format!("$.unserializable[{i}]");
                let entry = match e.as_array().map(Vec::as_slice) {
                    Some([Json::String(m), Json::String(name)]) if m == "<parameter>" => {
                        Unserializable::Parameter { name: name.clone() }
                    }
                    Some([s, Json::String(d), Json::String(a)])
                        if s.is_null() || s.as_str() == Some("<flow>") =>
                    {
                        Unserializable::Flow {
                            deco: d.clone(),
                            attr: a.clone(),
                        }
                    }
                    Some([Json::String(s), Json::String(d), Json::String(a)]) => {
                        Unserializable::Step {
                            step: s.clone(),
                            deco: d.clone(),
                            attr: a.clone(),
                        }
                    }
                    _ => {
                        return Err(at(
                            &p,
                            "expected [step, decorator, attribute], [\"<flow>\", decorator, attribute] or [\"<parameter>\", name]",
                        ));
                    }
                };
                unserializable.push(entry);
            }
        }
        Ok(Resolved {
            metaflow_version,
            flow,
            graph,
            steps,
            flow_decorators,
            parameters,
            config_file,
            configs,
            settings,
            unserializable,
            package_files,
        })
    }

    /// What the emitter needs besides the model.
    pub fn emit_overlay(&self) -> EmitOverlay {
        EmitOverlay {
            settings: self.settings.clone(),
            config_json: (!self.configs.is_empty()).then(|| {
                let mut s = serde_json::to_string(self.config_file.as_ref().unwrap_or(&Json::Null))
                    .unwrap_or_default();
                s.push('\n');
                s
            }),
            configs: self.configs.clone(),
            package_files: self.package_files.clone(),
        }
    }

    /// Lay Metaflow's view over the statically read flow. `Ok` = warnings; `Err` = errors
    /// (the flow is not compiled).
    ///
    /// `with` = the `--with` specs mf-windmill forwards to the workers: a decorator Metaflow
    /// sees that the file does not have is expected for those.
    pub fn apply(&self, flow: &mut Flow, with: &[String]) -> Result<Vec<String>, Vec<String>> {
        let forwarded: Vec<&str> = with
            .iter()
            .map(|w| w.split(':').next().unwrap_or("").trim())
            .collect();
        let mut warnings = vec![];
        let mut errors = vec![];
        if flow.name != self.flow {
            return Err(vec![format!(
                "the --metaflow-resolved file is for flow {}, not {}",
                self.flow, flow.name
            )]);
        }
        if let Some(v) = &self.metaflow_version
            && v != super::METAFLOW_VERSION
        {
            warnings.push(format!(
                "the flow was evaluated by Metaflow {v}; mf-windmill was written against {} (the workers run whatever Metaflow they have)",
                super::METAFLOW_VERSION
            ));
        }
        // Steps: Metaflow's decorator list, in Metaflow's order.
        let static_steps: HashSet<&str> = flow.steps.iter().map(|s| s.name.as_str()).collect();
        for name in self.steps.keys() {
            if !static_steps.contains(name.as_str()) {
                errors.push(format!(
                    "step {name}: in Metaflow's view (--metaflow-resolved) but not in the file read statically; Metaflow's reading and the static reading disagree (a bug to report)"
                ));
            }
        }
        for step in &mut flow.steps {
            let Some(decos) = self.steps.get(&step.name) else {
                errors.push(format!(
                    "step {}: missing from `steps` of --metaflow-resolved",
                    step.name
                ));
                continue;
            };
            let mut new = vec![];
            for rd in decos.iter().filter(|d| d.name != "windmill_internal") {
                let static_d = step.decorators.iter().find(|d| d.name == rd.name);
                let what = format!("step {}: @{}", step.name, rd.name);
                if static_d.is_none()
                    && rd.inserted_by.is_empty()
                    && !forwarded.contains(&rd.name.as_str())
                {
                    warnings.push(format!(
                        "{what} is in Metaflow's view but not written in the file (added by --with, a mutator or an extension): it is compiled from Metaflow's view; the workers apply it only if Metaflow adds it there too (give mf-windmill the same --with)"
                    ));
                }
                new.push(overlay_decorator(
                    rd,
                    static_d,
                    &step.step_decorator.loc,
                    &what,
                    &mut warnings,
                ));
            }
            for d in &step.decorators {
                if decos.iter().any(|r| r.name == d.name) {
                    continue;
                }
                match d.origin {
                    // Plain Python wrappers are not Metaflow decorators: Metaflow's list
                    // never has them; they stay (and stay reported as unknown).
                    Origin::Other => new.push(d.clone()),
                    Origin::Metaflow => warnings.push(format!(
                        "step {}: @{} is written in the file but Metaflow does not see it on the step; dropped (Metaflow's view wins)",
                        step.name, d.name
                    )),
                }
            }
            step.decorators = new;
        }
        // Flow decorators: @project and @schedule are Metaflow's.
        for name in ["project", "schedule"] {
            let rd = self.flow_decorators.iter().find(|d| d.name == name);
            let pos = flow.decorators.iter().position(|d| d.name == name);
            match (rd, pos) {
                (Some(rd), Some(i)) => {
                    let what = format!("@{name}");
                    let d = overlay_decorator(
                        rd,
                        Some(&flow.decorators[i]),
                        &flow.name_loc,
                        &what,
                        &mut warnings,
                    );
                    flow.decorators[i] = d;
                    // A second static one (an error Metaflow reports itself) goes.
                    let mut k = 0;
                    flow.decorators.retain(|x| {
                        let keep = x.name != name || k == i;
                        k += 1;
                        keep
                    });
                }
                (Some(rd), None) => {
                    let what = format!("@{name}");
                    warnings.push(format!(
                        "{what} is in Metaflow's view but not written in the file: compiled from Metaflow's view"
                    ));
                    let d = overlay_decorator(rd, None, &flow.name_loc, &what, &mut warnings);
                    flow.decorators.push(d);
                }
                (None, Some(_)) => {
                    warnings.push(format!(
                        "@{name} is written in the file but Metaflow does not see it on the flow; dropped (Metaflow's view wins)"
                    ));
                    flow.decorators.retain(|x| x.name != name);
                }
                (None, None) => {}
            }
        }
        // Other flow decorators stay as read; an argument that is not a literal takes
        // Metaflow's value when Metaflow has exactly one decorator of that name.
        for d in flow
            .decorators
            .iter_mut()
            .filter(|d| d.origin == Origin::Metaflow && d.name != "project" && d.name != "schedule")
        {
            let mut same = self.flow_decorators.iter().filter(|r| r.name == d.name);
            let (Some(rd), None) = (same.next(), same.next()) else {
                continue;
            };
            for a in &mut d.args {
                if let (ArgValue::Dynamic(_), Some(k)) = (&a.value, &a.keyword)
                    && let Some(v) = rd.attributes.get(k)
                {
                    a.value = ArgValue::Literal(Literal::from_json(v));
                }
            }
        }
        // Parameters: Metaflow's set (a FlowMutator may add or remove some), with the
        // evaluated values.
        let mut seen = HashSet::new();
        let all_named = flow.parameters.iter().all(|p| p.name_str().is_some());
        if all_named {
            flow.parameters.retain(|p| {
                let name = p.name_str().unwrap_or_default();
                let keep = self.parameters.iter().any(|r| r.name == name);
                if !keep {
                    warnings.push(format!(
                        "parameter '{name}' is declared in the file but Metaflow does not see it (removed by a mutator?); dropped (Metaflow's view wins)"
                    ));
                }
                keep
            });
        }
        for p in &mut flow.parameters {
            let Some(name) = p.name_str().map(str::to_string) else {
                // Reported by the checks (its name is not a literal).
                continue;
            };
            seen.insert(name.clone());
            let Some(rp) = self.parameters.iter().find(|r| r.name == name) else {
                continue;
            };
            let is_file = p.kind == ParamKind::IncludeFile;
            if is_file != (rp.kind == "file") {
                errors.push(format!(
                    "parameter '{name}': the file declares {} but Metaflow's view says type {}",
                    if is_file {
                        "an IncludeFile"
                    } else {
                        "a Parameter"
                    },
                    rp.kind
                ));
                continue;
            }
            let loc = p.loc.clone();
            if !is_file {
                let mf_type = match rp.kind.as_str() {
                    "json" => "JSONType",
                    k => k,
                };
                let static_type = crate::graph::output::parameter_type(p);
                if matches!(
                    static_type.as_str(),
                    "str" | "int" | "float" | "bool" | "JSONType"
                ) && static_type != mf_type
                    && p.kwarg("default")
                        .is_some_and(|a| a.value.literal().is_some())
                {
                    warnings.push(format!(
                        "parameter '{name}': Metaflow's type is {mf_type}, the file reads as {static_type}; Metaflow's is used"
                    ));
                }
                // As the file would write it (`type=str`): a name, not a string.
                set_kwarg(
                    &mut p.args,
                    "type",
                    ArgValue::Dynamic(mf_type.to_string()),
                    &loc,
                );
            }
            if rp.default.is_null() {
                p.args.retain(|a| a.keyword.as_deref() != Some("default"));
            } else {
                let lit = Literal::from_json(&rp.default);
                if let Some(old) = p.kwarg("default").and_then(|a| a.value.literal())
                    && !json_eq(&old.to_json(), &rp.default)
                {
                    warnings.push(format!(
                        "parameter '{name}': Metaflow's default is {}, the file reads {}; Metaflow's is used",
                        rp.default,
                        old.to_json()
                    ));
                }
                set_kwarg(&mut p.args, "default", ArgValue::Literal(lit), &loc);
            }
            if let Some(r) = rp.required {
                set_kwarg(
                    &mut p.args,
                    "required",
                    ArgValue::Literal(Literal::Bool(r)),
                    &loc,
                );
            }
            if let Some(h) = &rp.help {
                set_kwarg(
                    &mut p.args,
                    "help",
                    ArgValue::Literal(Literal::Str(h.clone())),
                    &loc,
                );
            }
        }
        for rp in &self.parameters {
            if seen.contains(&rp.name) || !all_named {
                continue;
            }
            if rp.kind == "file" {
                errors.push(format!(
                    "parameter '{}': an IncludeFile Metaflow sees but the file does not declare (added by a mutator?) cannot be deployed: its file is not known to ship in the code bundle; declare it in the flow class",
                    rp.name
                ));
                continue;
            }
            warnings.push(format!(
                "parameter '{}' is in Metaflow's view but not written in the file (added by a mutator?): compiled from Metaflow's view",
                rp.name
            ));
            flow.parameters.push(added_parameter(rp, &flow.name_loc));
        }
        // `dir(flow)` order, as the static reading keeps them.
        flow.parameters
            .sort_by(|a, b| a.attribute.cmp(&b.attribute));
        // Configs: the same names.
        let static_configs: Vec<String> = flow
            .configs
            .iter()
            .filter_map(|c| c.name.as_ref()?.literal()?.as_str().map(str::to_string))
            .collect();
        let all_literal = static_configs.len() == flow.configs.len();
        for c in &self.configs {
            if all_literal && !static_configs.contains(c) {
                errors.push(format!(
                    "config '{c}' is in Metaflow's view (`configs` of --metaflow-resolved) but not declared in the file read statically (a bug to report)"
                ));
            }
        }
        for c in &static_configs {
            if !self.configs.contains(c) {
                errors.push(format!(
                    "config '{c}' is declared in the file but not in Metaflow's view (`configs` of --metaflow-resolved; a bug to report)"
                ));
            }
        }
        // Attributes the extension could not write as JSON.
        for u in &self.unserializable {
            let (on, deco, attr) = match u {
                Unserializable::Step { step, deco, attr } => (format!("step {step}"), deco, attr),
                Unserializable::Flow { deco, attr } => ("the flow".to_string(), deco, attr),
                Unserializable::Parameter { name } => {
                    warnings.push(format!(
                        "WARNING: the default of parameter '{name}' is not JSON in Metaflow's view; the extension passed its repr() and mf-windmill uses that text as the default, which is probably NOT what Metaflow uses. Pass a value when running, or make the default a plain value."
                    ));
                    continue;
                }
            };
            if used_attribute(deco, attr) {
                warnings.push(format!(
                    "WARNING: @{deco}({attr}=...) on {on} is not JSON in Metaflow's view; the extension passed its repr() and mf-windmill compiles that text, which is probably NOT what Metaflow uses. Write a plain value."
                ));
            }
        }
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(errors)
        }
    }

    /// Metaflow's graph and the static one must be the same: step names, node types and
    /// out_funcs. `Err` names the first step where they differ.
    pub fn check_graph(&self, g: &FlowGraph) -> Result<(), String> {
        let why = "Metaflow's graph and the static reading disagree; refusing to compile a different graph than Metaflow's (a bug to report)";
        for (name, rn) in &self.graph {
            let Some(n) = g.get(name) else {
                return Err(format!(
                    "step {name}: in Metaflow's graph but not in the static graph. {why}"
                ));
            };
            let ty = n.node_type.map_or("none", |t| t.as_str());
            if ty != rn.node_type {
                return Err(format!(
                    "step {name}: Metaflow's graph says type {}, the static graph {ty}. {why}",
                    rn.node_type
                ));
            }
            if n.out_funcs != rn.out_funcs.as_slice() {
                return Err(format!(
                    "step {name}: Metaflow's graph says out_funcs [{}], the static graph [{}]. {why}",
                    rn.out_funcs.join(", "),
                    n.out_funcs.join(", ")
                ));
            }
        }
        for n in &g.nodes {
            if !self.graph.iter().any(|(k, _)| k == n.name) {
                return Err(format!(
                    "step {}: in the static graph but not in Metaflow's graph. {why}",
                    n.name
                ));
            }
        }
        Ok(())
    }
}

/// JSON equality with numbers compared as values (`2 == 2.0`).
fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn set_kwarg(args: &mut Vec<Arg>, key: &str, value: ArgValue, loc: &Loc) {
    match args.iter_mut().find(|a| a.keyword.as_deref() == Some(key)) {
        Some(a) => a.value = value,
        None => args.push(Arg {
            keyword: Some(key.to_string()),
            value,
            loc: loc.clone(),
        }),
    }
}

/// A Parameter only Metaflow sees (a FlowMutator's `add_parameter`), as if written
/// `name = Parameter("name", type=T, default=D, required=R, help=H)` on the class line.
fn added_parameter(rp: &ResolvedParameter, loc: &Loc) -> ParameterDecl {
    let mut args = vec![];
    let mf_type = match rp.kind.as_str() {
        "json" => "JSONType",
        k => k,
    };
    set_kwarg(&mut args, "type", ArgValue::Dynamic(mf_type.into()), loc);
    if !rp.default.is_null() {
        set_kwarg(
            &mut args,
            "default",
            ArgValue::Literal(Literal::from_json(&rp.default)),
            loc,
        );
    }
    if let Some(r) = rp.required {
        set_kwarg(
            &mut args,
            "required",
            ArgValue::Literal(Literal::Bool(r)),
            loc,
        );
    }
    if let Some(h) = &rp.help {
        set_kwarg(
            &mut args,
            "help",
            ArgValue::Literal(Literal::Str(h.clone())),
            loc,
        );
    }
    ParameterDecl {
        attribute: rp.name.replace('-', "_"),
        kind: ParamKind::Parameter,
        name: Some(ArgValue::Literal(Literal::Str(rp.name.clone()))),
        args,
        loc: loc.clone(),
    }
}

/// Metaflow's decorator as a called decorator with literal keyword arguments, located at
/// the static decorator of the same name (or `fallback`), each argument at the static
/// argument of the same keyword when there is one.
fn overlay_decorator(
    rd: &ResolvedDecorator,
    static_d: Option<&Decorator>,
    fallback: &Loc,
    what: &str,
    warnings: &mut Vec<String>,
) -> Decorator {
    let loc = static_d.map_or_else(|| fallback.clone(), |d| d.loc.clone());
    let mut args = vec![];
    for (k, v) in &rd.attributes {
        let static_arg = static_d.and_then(|d| d.kwarg(k));
        if let Some(ArgValue::Literal(l)) = static_arg.map(|a| &a.value)
            && !json_eq(&l.to_json(), v)
        {
            warnings.push(format!(
                "{what}: Metaflow's {k} is {v}, the file reads {}; Metaflow's is used",
                l.to_json()
            ));
        }
        args.push(Arg {
            keyword: Some(k.clone()),
            value: ArgValue::Literal(Literal::from_json(v)),
            loc: static_arg.map_or_else(|| loc.clone(), |a| a.loc.clone()),
        });
    }
    Decorator {
        name: rd.name.clone(),
        origin: Origin::Metaflow,
        called: true,
        args,
        loc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;
    use crate::parse::{FlowFile, parse_flow_source, source::SourceFile};
    use serde_json::json;

    const FLOW: &str = r#"from metaflow import Config, FlowSpec, Parameter, project, retry, schedule, step, catch

def region(ctx):
    return "r-" + ctx.user_name

@project(name=cfg_name())
@schedule(cron=CRON)
class DemoFlow(FlowSpec):
    cfg = Config("cfg", default_value={"retries": 2})
    who = Parameter("who", default="world", help="who to greet")
    region = Parameter("region", default=region)

    @retry(times=cfg.retries)
    @step
    def start(self):
        self.next(self.a)

    @catch(var="err")
    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass

if __name__ == "__main__":
    DemoFlow()
"#;

    fn parse(text: &str) -> FlowFile {
        parse_flow_source(SourceFile::new("flow.py", "flow.py", text.to_string()))
    }

    fn overlay() -> Json {
        json!({
            "v": 1,
            "metaflow_version": "2.19.39",
            "flow": "DemoFlow",
            "graph": {
                "a": {"type": "linear", "out_funcs": ["end"]},
                "end": {"type": "end", "out_funcs": []},
                "start": {"type": "start", "out_funcs": ["a"]}
            },
            "steps": {
                "start": {"decorators": [
                    {"name": "retry", "attributes": {"times": 2, "minutes_between_retries": 0}},
                    {"name": "windmill_internal", "attributes": {}}
                ]},
                "a": {"decorators": [
                    {"name": "catch", "attributes": {"var": "err", "print_exception": true}},
                    {"name": "timeout", "attributes": {"seconds": 30, "minutes": 0, "hours": 0}}
                ]},
                "end": {"decorators": []}
            },
            "flow_decorators": [
                {"name": "project", "attributes": {"name": "demo", "branch": null, "production": false}},
                {"name": "schedule", "attributes": {"cron": "*/5 * * * *", "hourly": false, "daily": true, "weekly": false, "timezone": null}}
            ],
            "parameters": [
                {"name": "who", "type": "str", "default": "world", "required": false, "help": "who to greet"},
                {"name": "region", "type": "str", "default": "r-alice", "required": false, "help": null}
            ],
            "config_file": {"user_configs": {"cfg": [{"retries": 2}, false]}},
            "configs": ["cfg"],
            "settings": {"metadata": "local", "datastore": "local", "datastore_root": "/abs/.metaflow",
                         "environment": "local", "event_logger": "nullSidecarLogger", "monitor": "nullSidecarMonitor"}
        })
    }

    fn load(v: &Json) -> Result<Resolved, String> {
        Resolved::from_json(v)
    }

    fn codes(file: &FlowFile) -> Vec<Code> {
        crate::graph::check_file(file)
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn statically_the_flow_is_refused() {
        let file = parse(FLOW);
        let c = codes(&file);
        assert!(c.contains(&Code::DynamicDecoratorArgument), "{c:?}");
    }

    #[test]
    fn overlay_replaces_decorators_and_defaults_and_the_flow_checks_clean() {
        let mut file = parse(FLOW);
        let r = load(&overlay()).unwrap();
        let warnings = r.apply(&mut file.flows[0], &[]).unwrap();
        let flow = &file.flows[0];
        // Step decorators: Metaflow's list, in its order, windmill_internal ignored.
        let start = flow.step("start").unwrap();
        assert_eq!(start.decorators.len(), 1);
        let retry = &start.decorators[0];
        assert_eq!(retry.origin, Origin::Metaflow);
        assert!(retry.called);
        assert_eq!(
            retry
                .kwarg("times")
                .unwrap()
                .value
                .literal()
                .unwrap()
                .as_i64(),
            Some(2)
        );
        // Diagnostics still point at the source: the static @retry and its `times`.
        assert_eq!(retry.loc.line(), 13);
        let a = flow.step("a").unwrap();
        let names: Vec<&str> = a.decorators.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["catch", "timeout"]);
        // @timeout is not in the file: located at the step's @step.
        assert_eq!(a.decorators[1].loc.range, a.step_decorator.loc.range);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("@timeout") && w.contains("not written")),
            "{warnings:?}"
        );
        // Flow decorators.
        let p = flow.decorator("project").unwrap();
        assert_eq!(
            p.kwarg("name").unwrap().value.literal().unwrap().as_str(),
            Some("demo")
        );
        assert_eq!(
            flow.decorators
                .iter()
                .filter(|d| d.name == "project")
                .count(),
            1
        );
        let s = flow.decorator("schedule").unwrap();
        assert_eq!(
            s.kwarg("cron").unwrap().value.literal().unwrap().as_str(),
            Some("*/5 * * * *")
        );
        // The deploy-time default is now Metaflow's value.
        let region = flow
            .parameters
            .iter()
            .find(|p| p.name_str() == Some("region"))
            .unwrap();
        assert_eq!(
            region
                .kwarg("default")
                .unwrap()
                .value
                .literal()
                .unwrap()
                .as_str(),
            Some("r-alice")
        );
        // No WM203 / WM208 left: the flow checks clean (only @schedule-free findings).
        let c = codes(&file);
        assert!(!c.contains(&Code::DynamicDecoratorArgument), "{c:?}");
        assert!(!c.contains(&Code::DynamicDeclaration), "{c:?}");
        let g = FlowGraph::new(&file.flows[0]);
        r.check_graph(&g).unwrap();
    }

    #[test]
    fn a_static_literal_overridden_by_metaflow_is_a_warning() {
        let text = FLOW.replace("@retry(times=cfg.retries)", "@retry(times=5)");
        let mut file = parse(&text);
        let r = load(&overlay()).unwrap();
        let w = r.apply(&mut file.flows[0], &[]).unwrap();
        assert!(
            w.iter()
                .any(|w| w.contains("@retry") && w.contains("times is 2")),
            "{w:?}"
        );
        let start = file.flows[0].step("start").unwrap();
        assert_eq!(
            start.decorators[0]
                .kwarg("times")
                .unwrap()
                .value
                .literal()
                .unwrap()
                .as_i64(),
            Some(2)
        );
    }

    #[test]
    fn a_static_metaflow_decorator_metaflow_does_not_see_is_dropped_loudly() {
        let text = FLOW.replace(
            "    @step\n    def end",
            "    @retry\n    @step\n    def end",
        );
        let mut file = parse(&text);
        let w = load(&overlay())
            .unwrap()
            .apply(&mut file.flows[0], &[])
            .unwrap();
        assert!(file.flows[0].step("end").unwrap().decorators.is_empty());
        assert!(
            w.iter()
                .any(|w| w.contains("step end: @retry") && w.contains("dropped")),
            "{w:?}"
        );
    }

    #[test]
    fn metaflows_parameter_set_wins() {
        // A FlowMutator may add (`add_parameter`) or remove parameters: Metaflow's set is
        // compiled, each difference said.
        let mut v = overlay();
        v["parameters"].as_array_mut().unwrap().remove(1);
        v["parameters"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "extra", "type": "int", "default": 1, "help": "added"}));
        let mut file = parse(FLOW);
        let warns = load(&v).unwrap().apply(&mut file.flows[0], &[]).unwrap();
        assert!(
            warns
                .iter()
                .any(|e| e.contains("'region'") && e.contains("dropped")),
            "{warns:?}"
        );
        assert!(
            warns
                .iter()
                .any(|e| e.contains("'extra'") && e.contains("compiled from Metaflow's view")),
            "{warns:?}"
        );
        let flow = &file.flows[0];
        let names: Vec<_> = flow
            .parameters
            .iter()
            .filter_map(|p| p.name_str())
            .collect();
        assert!(
            names.contains(&"extra") && !names.contains(&"region"),
            "{names:?}"
        );
        let extra = flow
            .parameters
            .iter()
            .find(|p| p.name_str() == Some("extra"))
            .unwrap();
        assert_eq!(crate::graph::output::parameter_type(extra), "int");
        assert_eq!(
            extra.kwarg("default").and_then(|a| a.value.literal()),
            Some(&Literal::Int("1".into()))
        );
        // An IncludeFile only Metaflow sees cannot be shipped: refused.
        let mut v = overlay();
        v["parameters"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "data", "type": "file", "default": "x.csv"}));
        let mut file = parse(FLOW);
        let errs = load(&v)
            .unwrap()
            .apply(&mut file.flows[0], &[])
            .unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.contains("'data'") && e.contains("IncludeFile")),
            "{errs:?}"
        );
    }

    #[test]
    fn a_string_parameter_with_a_separator_stays_clean() {
        // Metaflow's type `str` is set as the file would write it (`type=str`), so the
        // static rule MF011 (separator only on strings) does not fire on Metaflow's own
        // resolved values.
        let src = r#"
from metaflow import FlowSpec, Parameter, step

class SepFlow(FlowSpec):
    list_param = Parameter("list_param", separator=",", default="a,b,c")

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
"#;
        let v = json!({
            "v": 1,
            "flow": "SepFlow",
            "graph": {"start": {"type": "start", "out_funcs": ["end"]},
                      "end": {"type": "end", "out_funcs": []}},
            "steps": {"start": {"decorators": []}, "end": {"decorators": []}},
            "parameters": [{"name": "list_param", "type": "str", "default": "a,b,c"}],
        });
        let mut file = parse(src);
        load(&v).unwrap().apply(&mut file.flows[0], &[]).unwrap();
        assert!(codes(&file).is_empty(), "{:?}", codes(&file));
    }

    #[test]
    fn null_default_means_no_default_and_types_follow_metaflow() {
        let mut v = overlay();
        v["parameters"][1]["default"] = Json::Null;
        v["parameters"][0]["type"] = json!("int");
        v["parameters"][0]["default"] = json!(3);
        let mut file = parse(FLOW);
        let w = load(&v).unwrap().apply(&mut file.flows[0], &[]).unwrap();
        let f = &file.flows[0];
        let region = f
            .parameters
            .iter()
            .find(|p| p.name_str() == Some("region"))
            .unwrap();
        assert!(region.kwarg("default").is_none());
        let who = f
            .parameters
            .iter()
            .find(|p| p.name_str() == Some("who"))
            .unwrap();
        assert_eq!(crate::graph::output::parameter_type(who), "int");
        assert!(
            w.iter()
                .any(|w| w.contains("'who'") && w.contains("type is int")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|w| w.contains("'who'") && w.contains("default is 3")),
            "{w:?}"
        );
    }

    #[test]
    fn graph_disagreement_names_the_step() {
        let mut v = overlay();
        v["graph"]["a"]["out_funcs"] = json!(["start"]);
        let mut file = parse(FLOW);
        let r = load(&v).unwrap();
        r.apply(&mut file.flows[0], &[]).unwrap();
        let e = r.check_graph(&FlowGraph::new(&file.flows[0])).unwrap_err();
        assert!(e.starts_with("step a:") && e.contains("disagree"), "{e}");
        let mut v = overlay();
        v["graph"]["b"] = json!({"type": "linear", "out_funcs": ["end"]});
        let e = load(&v)
            .unwrap()
            .check_graph(&FlowGraph::new(&file.flows[0]))
            .unwrap_err();
        assert!(e.starts_with("step b:"), "{e}");
        let mut v = overlay();
        v["graph"]["end"]["type"] = json!("linear");
        let e = load(&v)
            .unwrap()
            .check_graph(&FlowGraph::new(&file.flows[0]))
            .unwrap_err();
        assert!(
            e.starts_with("step end:") && e.contains("type linear"),
            "{e}"
        );
    }

    #[test]
    fn invalid_files_name_the_bad_field() {
        type Edit = Box<dyn Fn(&mut Json)>;
        let cases: Vec<(Edit, &str)> = vec![
            (Box::new(|v| v["v"] = json!(2)), "`$.v`: version 2"),
            (
                Box::new(|v| {
                    v.as_object_mut().unwrap().remove("flow");
                }),
                "`$`: missing field `flow`",
            ),
            (
                Box::new(|v| v["steps"]["start"]["decorators"][0]["name"] = json!(3)),
                "`$.steps.start.decorators[0].name`: expected a string",
            ),
            (
                Box::new(|v| v["parameters"][1]["type"] = json!("date")),
                "`$.parameters[1].type`",
            ),
            (
                Box::new(|v| v["graph"]["a"]["out_funcs"] = json!("end")),
                "`$.graph.a.out_funcs`: expected an array",
            ),
            (
                Box::new(|v| v["config_file"]["user_configs"]["cfg"] = json!({"retries": 2})),
                "`$.config_file.user_configs.cfg`: expected [value, is_plain]",
            ),
            (
                Box::new(|v| v["settings"]["datastore_root"] = Json::Null),
                "`$.settings.datastore_root`: expected a string",
            ),
            (
                Box::new(|v| v["unserializable"] = json!([["start", "retry"]])),
                "`$.unserializable[0]`",
            ),
        ];
        for (edit, want) in cases {
            let mut v = overlay();
            edit(&mut v);
            let e = load(&v).unwrap_err();
            assert!(e.starts_with(want), "{e} (wanted {want})");
        }
    }

    #[test]
    fn unserializable_attributes_the_emitter_uses_are_loud() {
        // The shapes the extension writes (python/.../plugins/resolved.py).
        let mut v = overlay();
        v["unserializable"] = json!([
            ["start", "retry", "times"],
            ["a", "catch", "var"],
            ["<flow>", "schedule", "cron"],
            [null, "project", "name"],
            ["<parameter>", "region"]
        ]);
        let mut file = parse(FLOW);
        let w = load(&v).unwrap().apply(&mut file.flows[0], &[]).unwrap();
        let loud: Vec<&String> = w.iter().filter(|w| w.starts_with("WARNING")).collect();
        assert_eq!(loud.len(), 4, "{w:?}");
        assert!(loud[0].contains("@retry(times=...) on step start"));
        assert!(loud[1].contains("@schedule(cron=...) on the flow"));
        assert!(loud[2].contains("@project(name=...) on the flow"));
        assert!(loud[3].contains("parameter 'region'"));
    }

    #[test]
    fn other_flow_decorators_stay_but_take_metaflows_values_for_expressions() {
        let text = FLOW
            .replace(
                "@schedule(cron=CRON)",
                "@schedule(cron=CRON)\n@trigger(event=cfg.event, options={\"k\": 1})",
            )
            .replace("import Config,", "import Config, trigger,");
        let mut file = parse(&text);
        assert!(codes(&file).contains(&Code::DynamicDecoratorArgument));
        let mut v = overlay();
        v["flow_decorators"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "trigger", "attributes": {"event": "go", "options": {"k": 2}}}));
        load(&v).unwrap().apply(&mut file.flows[0], &[]).unwrap();
        let t = file.flows[0].decorator("trigger").unwrap();
        assert_eq!(
            t.kwarg("event").unwrap().value.literal().unwrap().as_str(),
            Some("go")
        );
        // A literal of the file stays as read.
        assert_eq!(
            t.kwarg("options")
                .unwrap()
                .value
                .literal()
                .unwrap()
                .to_json(),
            json!({"k": 1})
        );
        assert!(!codes(&file).contains(&Code::DynamicDecoratorArgument));
    }

    #[test]
    fn a_decorator_forwarded_with_with_is_expected() {
        let mut file = parse(FLOW);
        let w = load(&overlay())
            .unwrap()
            .apply(&mut file.flows[0], &["timeout:seconds=30".to_string()])
            .unwrap();
        assert!(!w.iter().any(|w| w.contains("@timeout")), "{w:?}");
    }

    #[test]
    fn config_options_are_metaflows() {
        let o = load(&overlay()).unwrap().emit_overlay();
        assert_eq!(
            o.config_options(),
            [
                "--config-value",
                "cfg",
                "kv.cfg",
                "--local-config-file",
                "_mfwm/config.json"
            ]
        );
        let cf: Json = serde_json::from_str(o.config_json.as_deref().unwrap()).unwrap();
        assert_eq!(
            cf,
            json!({"user_configs": {"cfg": [{"retries": 2}, false]}})
        );
        let mut v = overlay();
        v["configs"] = json!([]);
        let o = load(&v).unwrap().emit_overlay();
        assert!(o.config_options().is_empty() && o.config_json.is_none());
    }

    #[test]
    fn settings_override_the_environment_with_a_note() {
        let o = load(&overlay()).unwrap().emit_overlay();
        let env = vec![
            ("HOME".to_string(), "/nonexistent".to_string()),
            (
                "METAFLOW_DEFAULT_MONITOR".to_string(),
                "envMonitor".to_string(),
            ),
            (
                "METAFLOW_DATASTORE_SYSROOT_LOCAL".to_string(),
                "/elsewhere".to_string(),
            ),
        ];
        let (s, w) = o.resolve_settings(&env, None).unwrap();
        assert_eq!(s.monitor, "nullSidecarMonitor");
        assert_eq!(s.datastore_root, "/abs/.metaflow");
        assert_eq!(s.local_root.as_deref(), Some("/abs/.metaflow"));
        assert!(
            s.top_level()
                .windows(2)
                .any(|p| p == ["--monitor", "nullSidecarMonitor"])
        );
        assert_eq!(w.len(), 2, "{w:?}");
        // Without a root in the environment the file's root is enough.
        let (s, w) = o.resolve_settings(&env[..1], None).unwrap();
        assert_eq!(s.datastore_root, "/abs/.metaflow");
        assert!(w.is_empty());
    }

    #[test]
    fn a_file_for_another_flow_is_refused() {
        let mut v = overlay();
        v["flow"] = json!("OtherFlow");
        let mut file = parse(FLOW);
        let e = load(&v)
            .unwrap()
            .apply(&mut file.flows[0], &[])
            .unwrap_err();
        assert!(e[0].contains("for flow OtherFlow"), "{e:?}");
    }
}
