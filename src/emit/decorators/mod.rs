//! Each step decorator's lowering to Windmill, one file per decorator ([`retry`],
//! [`catch`], [`timeout`], [`environment`], [`resources`]); [`lower`] folds a step's
//! decorators into one [`Decorations`]. Flow decorators: [`exit_hook`] (end-of-flow
//! modules), [`triggers`] (event registry entries and the finish-event module).

pub mod catch;
pub mod environment;
pub mod exit_hook;
pub mod resources;
pub mod retry;
pub mod timeout;
pub mod triggers;

use serde_json::{Map, Value};

use super::MAX_ATTEMPTS;
use crate::parse::model::{Decorator, Step};

/// What a step's decorators compile to.
pub(crate) struct Decorations {
    /// `--max-user-code-retries` (max `times` of @retry).
    pub user_retries: u32,
    /// Windmill retry attempts: user retries + 3 for @catch's fallback, capped.
    pub attempts: u32,
    pub retry_seconds: u64,
    /// Module timeout (Windmill backstop of @timeout).
    pub timeout: Option<u64>,
    /// @environment variables.
    pub env: Map<String, Value>,
    /// Notes for the module summary (@resources ignored, ...).
    pub notes: Vec<String>,
}

/// What the decorators of one step add up to while they are folded.
pub(crate) struct Acc {
    pub user_retries: u32,
    pub minutes_between_retries: i64,
    pub catch: bool,
    pub timeout: Option<u64>,
    pub env: Map<String, Value>,
    pub notes: Vec<String>,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            user_retries: 0,
            // Metaflow's @retry default.
            minutes_between_retries: 2,
            catch: false,
            timeout: None,
            env: Map::new(),
            notes: vec![],
        }
    }
}

/// Where a lowering reports: compile warnings and errors.
pub(crate) struct Report<'a> {
    pub warnings: &'a mut Vec<String>,
    pub errors: &'a mut Vec<String>,
}

/// An integer keyword argument of a decorator.
pub(crate) fn kw_i64(d: &Decorator, k: &str) -> Option<i64> {
    let l = d.kwarg(k)?.value.literal()?;
    // Metaflow converts with `int(...)`, so a numeric string counts too.
    l.as_i64()
        .or_else(|| l.as_f64().map(|f| f as i64))
        .or_else(|| l.as_str()?.trim().parse().ok())
}

/// Fold a step's decorators into what the step module carries.
pub(crate) fn lower(s: &Step, ctx: &resources::Routing, report: &mut Report) -> Decorations {
    let mut acc = Acc::default();
    for d in &s.decorators {
        match d.name.as_str() {
            "retry" => retry::lower(d, &mut acc),
            "catch" => catch::lower(d, &mut acc),
            "timeout" => timeout::lower(d, &mut acc),
            "environment" => environment::lower(s, d, &mut acc, report),
            "resources" => resources::lower(s, d, ctx, &mut acc, report),
            _ => {}
        }
    }
    let error = if acc.catch {
        catch::FALLBACK_ATTEMPTS
    } else {
        0
    };
    let user = acc.user_retries;
    let attempts = (user + error).min(MAX_ATTEMPTS - 1);
    let seconds = if user > 0 {
        60 * acc.minutes_between_retries as u64
    } else {
        0
    };
    Decorations {
        user_retries: user,
        attempts,
        retry_seconds: seconds,
        timeout: acc.timeout,
        env: acc.env,
        notes: acc.notes,
    }
}
