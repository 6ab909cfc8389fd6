//! `@catch` → extra Windmill attempts for Metaflow's fallback task: after the user-code
//! retries are spent, the next attempt runs the catch fallback (it stores the exception
//! in the `var` artifact and succeeds). Three spare attempts cover infrastructure
//! failures of that fallback.

use super::Acc;
use crate::parse::model::Decorator;

/// Windmill attempts added for @catch's fallback.
pub(crate) const FALLBACK_ATTEMPTS: u32 = 3;

pub(crate) fn lower(_d: &Decorator, acc: &mut Acc) {
    acc.catch = true;
}
