//! `@retry(times=3, minutes_between_retries=2)` → Metaflow's `--max-user-code-retries`
//! (the largest `times`) and a Windmill constant retry of the step module, spaced by
//! `minutes_between_retries` (Metaflow's own spacing between attempts).

use super::{Acc, kw_i64};
use crate::parse::model::Decorator;

pub(crate) fn lower(d: &Decorator, acc: &mut Acc) {
    let t = kw_i64(d, "times").unwrap_or(3).max(0) as u32;
    acc.user_retries = acc.user_retries.max(t);
    acc.minutes_between_retries = kw_i64(d, "minutes_between_retries").unwrap_or(2).max(0);
}
