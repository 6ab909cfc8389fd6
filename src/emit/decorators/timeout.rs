//! `@timeout(seconds=, minutes=, hours=)` → a Windmill module `timeout` one minute longer
//! than Metaflow's: Metaflow enforces the limit in-process (so the timeout is retried or
//! caught like any exception); Windmill's module timeout is only a backstop.

use super::{Acc, kw_i64};
use crate::parse::model::Decorator;

pub(crate) fn lower(d: &Decorator, acc: &mut Acc) {
    let secs = kw_i64(d, "seconds").unwrap_or(0)
        + 60 * kw_i64(d, "minutes").unwrap_or(0)
        + 3600 * kw_i64(d, "hours").unwrap_or(0);
    if secs > 0 {
        acc.timeout = Some(secs as u64 + 60);
    }
}
