//! `@resources(cpu=, memory=, gpu=)`: Windmill has no per-job resource requests, so the
//! decorator is ignored with a warning.

use super::{Acc, Report};
use crate::parse::model::{Decorator, Step};

/// How steps are routed to Windmill workers (none yet).
#[derive(Debug, Clone, Default)]
pub struct Routing {}

pub(crate) fn lower(s: &Step, _d: &Decorator, _ctx: &Routing, acc: &mut Acc, report: &mut Report) {
    report.warnings.push(format!(
        "step {}: @resources ignored: Windmill has no per-job resource requests; route the flow to suitable workers with a worker group",
        s.name
    ));
    acc.notes.push("@resources ignored".to_string());
}
