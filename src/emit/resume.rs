//! Resume (issue 13): the fifth step argument `resume` of every step module.
//!
//! A resumed run is an ordinary run of the deployed flow started with one extra flow
//! input, [`RESUME_INPUT`] = JSON `{"origin_run_id": "wm-…", "step": "<step>" | null}`
//! (`mf-windmill resume`). The start module receives it; it clones the origin's
//! `_parameters` and publishes `{"o": <origin>, "r": [steps_to_rerun]}` as `resume` in its
//! result, which every other module receives. Without that input both are empty strings
//! and nothing changes. What a module does with it: `runtime/_mfwm/clone.py`.

use super::openflow::InputTransform;

/// The flow input a resumed run is started with (not a schema property: Windmill passes
/// flow arguments through as given; a parameter of this name is a compile error,
/// `params.rs`).
pub const RESUME_INPUT: &str = "_mfwm_resume";

/// The `resume` argument of a step module.
pub fn transform(is_start: bool, start_id: &str) -> InputTransform {
    if is_start {
        InputTransform::js(format!("flow_input.{RESUME_INPUT} || \"\""))
    } else {
        InputTransform::js(format!("results.{start_id}.resume || \"\""))
    }
}
