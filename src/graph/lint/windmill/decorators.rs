//! WM201 `unsupported-step-decorator`, WM202 `unsupported-flow-decorator`,
//! WM206 `unhonoured-decorator`, WM207 `unknown-decorator`.
//!
//! ## What it does
//! Classifies every decorator: those that need compute Windmill does not provide
//! (`@parallel`, `@batch`, `@kubernetes`), environments our steps are not run under
//! (`@conda`, `@pypi`), and flow decorators with no Windmill counterpart (`@conda_base`) are
//! errors; decorators that would simply have no effect (`@resources` without routing) are
//! warnings; decorators not from Metaflow are warnings, since what they do is unknown.
//!
//! ## Why is this bad
//! A decorator that is silently dropped changes what the flow does in production: a step
//! that asked for a GPU cluster would run on a Windmill worker instead.
//!
//! ## Example
//! ```python
//! @kubernetes(cpu=8)
//! @step
//! def train(self): ...
//! ```

use super::{HONOURED_FLOW_DECORATORS, HONOURED_STEP_DECORATORS};
use crate::diag::{Code, Diagnostic};
use crate::graph::FlowGraph;
use crate::parse::model::Origin;

fn step_verdict(name: &str) -> Option<(Code, String)> {
    let why = match name {
        "parallel" | "pytorch_parallel" => (Code::UnsupportedStepDecorator, format!("@{name} runs a gang of tasks that communicate with each other; Windmill has no multi-node jobs.")),
        "batch" => (Code::UnsupportedStepDecorator, "@batch sends the step to AWS Batch; on Windmill steps run on Windmill workers.".to_string()),
        "kubernetes" => (Code::UnsupportedStepDecorator, "@kubernetes sends the step to a Kubernetes pod; on Windmill steps run on Windmill workers.".to_string()),
        "conda" | "pypi" => (Code::UnsupportedStepDecorator, format!("@{name} needs Metaflow's {name} environment (--environment={name}); mf-windmill runs steps in the worker's Python environment, so the packages would be missing.")),
        "resources" => (Code::UnhonouredDecorator, "@resources has no effect on Windmill by itself: workers do not reserve CPU, memory or GPUs per job. Route the step to suitable workers with --worker-tag-map or --worker-tag STEP=TAG.".to_string()),
        _ => return None,
    };
    Some(why)
}

fn flow_verdict(name: &str) -> Option<(Code, String)> {
    Some(match name {
        "conda_base" | "pypi_base" => (
            Code::UnsupportedFlowDecorator,
            format!(
                "@{name} needs Metaflow's environment support (--environment); mf-windmill runs steps in the worker's Python environment."
            ),
        ),
        _ => return None,
    })
}

pub fn check(g: &FlowGraph, out: &mut Vec<Diagnostic>) {
    let flow = &g.flow.name;
    for d in &g.flow.decorators {
        let verdict = match d.origin {
            Origin::Other => Some((Code::UnknownDecorator, format!("@{} is not a Metaflow flow decorator; what it does to the flow cannot be known statically.", d.name))),
            Origin::Metaflow if HONOURED_FLOW_DECORATORS.contains(&d.name.as_str()) => None,
            Origin::Metaflow => flow_verdict(&d.name).or_else(|| Some((Code::UnknownDecorator, format!("@{} is not a flow decorator mf-windmill knows; it is not applied on Windmill.", d.name)))),
        };
        if let Some((code, msg)) = verdict {
            out.push(
                Diagnostic::new(code, msg)
                    .at(&d.loc)
                    .flow(flow)
                    .label(format!("@{}", d.name)),
            );
        }
    }
    for n in &g.nodes {
        let step = n.step;
        for d in &step.decorators {
            let verdict = match d.origin {
                Origin::Other => Some((Code::UnknownDecorator, format!("@{} on step *{}* is not a Metaflow step decorator; what it does cannot be known statically.", d.name, step.name))),
                Origin::Metaflow if HONOURED_STEP_DECORATORS.contains(&d.name.as_str()) => None,
                Origin::Metaflow => step_verdict(&d.name).or_else(|| Some((Code::UnknownDecorator, format!("@{} on step *{}* is not a step decorator mf-windmill knows; it is not applied on Windmill.", d.name, step.name)))),
            };
            if let Some((code, msg)) = verdict {
                out.push(
                    Diagnostic::new(code, msg)
                        .at(&d.loc)
                        .flow(flow)
                        .step(&step.name)
                        .label(format!("@{}", d.name)),
                );
            }
        }
    }
}
