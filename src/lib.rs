//! mf-windmill: read Metaflow flows statically, check them, compile them to Windmill OpenFlow,
//! and run them on Windmill or locally with Windmill's semantics.
//!
//! The pipeline is visible in the module names:
//! `parse` (Python source → flow model; `parse::resolved` overlays Metaflow's own view, `parse::settings` reads Metaflow's settings) → `graph` (Metaflow's FlowGraph + lint) →
//! `emit` (OpenFlow) → `api` (Windmill REST) / `local` (local executor). `package` holds
//! Metaflow's code-package rules (graph and emit follow them). `diag` carries
//! diagnostics for all stages; `cli` resolves arguments and drives the stages.

pub mod api;
pub mod cli;
pub mod diag;
pub mod emit;
pub mod graph;
pub mod local;
pub mod package;
pub mod parse;
