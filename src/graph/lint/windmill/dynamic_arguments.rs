//! WM203 `dynamic-decorator-argument`, WM208 `dynamic-declaration`.
//!
//! ## What it does
//! Flags decorator arguments that are not literals (`@retry(times=N)`,
//! `@timeout(seconds=compute())`), and Parameter/Config arguments that are not literals
//! (a Parameter's `default=` is WM209, `unknown_defaults.rs`). "Literal" means evaluable
//! statically (`src/parse/eval.rs`): module constants, config values and simple
//! expressions of them count.
//!
//! ## Why is this bad
//! mf-windmill reads the flow without running Python. A decorator argument decides how the
//! flow is compiled (retries, timeouts, schedules), so an unknown value would compile to a
//! silently different flow. A Parameter default that is an expression is still evaluated
//! by Metaflow at run time, but the Windmill form cannot show it (a warning); a Parameter
//! whose *name* is an expression cannot be passed at all (an error).
//!
//! ## Example
//! ```python
//! @retry(times=int(os.environ["RETRIES"]))
//! ```
//! Use instead: `@retry(times=3)` (or a module-level constant), or deploy with `python flow.py windmill create`, which
//! lets Metaflow evaluate the flow first.

use crate::diag::{Code, Diagnostic, Severity};
use crate::graph::FlowGraph;
use crate::parse::model::{Arg, ArgValue, Decorator, Origin, ParamKind};

fn dynamic(args: &[Arg]) -> impl Iterator<Item = (&Arg, &str)> {
    args.iter().filter_map(|a| match &a.value {
        ArgValue::Dynamic(t) => Some((a, t.as_str())),
        ArgValue::Literal(_) => None,
    })
}

fn decorator_args(d: &Decorator, flow: &str, step: Option<&str>, out: &mut Vec<Diagnostic>) {
    // Unknown decorators and unsupported ones are reported as such; their arguments add
    // nothing.
    if d.origin != Origin::Metaflow || super::UNSUPPORTED_DECORATORS.contains(&d.name.as_str()) {
        return;
    }
    for (a, text) in dynamic(&d.args) {
        // @exit_hook lists functions, which are never literals (WM211 reads them).
        if d.name == "exit_hook" && matches!(a.keyword.as_deref(), Some("on_success" | "on_error"))
        {
            continue;
        }
        // @trigger / @trigger_on_finish names are read by WM212 (`triggers.rs`).
        if matches!(d.name.as_str(), "trigger" | "trigger_on_finish")
            && matches!(
                a.keyword.as_deref(),
                Some("event" | "events" | "flow" | "flows")
            )
        {
            continue;
        }
        let what = a
            .keyword
            .as_deref()
            .map_or_else(|| "a positional argument".to_string(), |k| format!("`{k}`"));
        let mut diag = Diagnostic::new(
            Code::DynamicDecoratorArgument,
            format!("@{}: {what} is `{text}`, which is not a literal; its value cannot be known without running Python.", d.name),
        )
        .at(&a.loc)
        .flow(flow)
        .label("not a literal")
        .help("Write the value literally, or deploy with `python flow.py windmill create` so Metaflow evaluates it.");
        if let Some(s) = step {
            diag = diag.step(s);
        }
        out.push(diag);
    }
}

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    let flow = &g.flow.name;
    for d in &g.flow.decorators {
        decorator_args(d, flow, None, out);
    }
    for n in &g.nodes {
        for d in &n.step.decorators {
            decorator_args(d, flow, Some(&n.step.name), out);
        }
    }
    let decls = g
        .flow
        .parameters
        .iter()
        .map(|p| {
            (
                p.attribute.as_str(),
                &p.args[..],
                p.name.as_ref(),
                match p.kind {
                    ParamKind::Parameter => "Parameter",
                    ParamKind::IncludeFile => "IncludeFile",
                },
            )
        })
        .chain(
            g.flow
                .configs
                .iter()
                .map(|c| (c.attribute.as_str(), &c.args[..], c.name.as_ref(), "Config")),
        );
    for (attr, args, name, kind) in decls {
        for (i, (a, text)) in dynamic(args).enumerate() {
            // `type=int` and the like name a type, which is what is expected there.
            if a.keyword.as_deref() == Some("type") && is_type_name(text) {
                continue;
            }
            // A Parameter's default the run needs: WM209 (unknown_defaults.rs).
            if kind != "Config" && a.keyword.as_deref() == Some("default") {
                continue;
            }
            let is_name =
                i == 0 && a.keyword.is_none() && matches!(name, Some(ArgValue::Dynamic(_)))
                    || a.keyword.as_deref() == Some("name");
            let (sev, msg) = if is_name {
                (
                    Severity::Error,
                    format!(
                        "{kind} `{attr}`: its name is `{text}`, which is not a literal; it cannot be declared in the Windmill flow's inputs."
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "{kind} `{attr}`: `{}` is `{text}`, which is not a literal; Metaflow evaluates it at run time, but the Windmill inputs cannot show it.",
                        a.keyword.as_deref().unwrap_or("argument")
                    ),
                )
            };
            out.push(
                Diagnostic::new(Code::DynamicDeclaration, msg)
                    .severity(sev)
                    .at(&a.loc)
                    .flow(flow)
                    .label("not a literal"),
            );
        }
    }
}

/// A type Metaflow parameters accept by name: builtins, JSONType, or a dotted path to it.
fn is_type_name(text: &str) -> bool {
    matches!(
        text.rsplit('.').next().unwrap_or(text),
        "str" | "int" | "float" | "bool" | "JSONType"
    )
}
