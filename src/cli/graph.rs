//! `mf-windmill graph FLOW.py`: print the graph recovered from a flow file.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::graph::{FlowGraph, output};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Json,
    Dot,
    Mermaid,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The flow file.
    #[arg(value_name = "FLOW.py")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
    pub format: GraphFormat,
    /// Which flow, when the file defines several.
    #[arg(long)]
    pub flow: Option<String>,
}

pub fn run(args: GraphArgs) -> i32 {
    let display = args.file.display().to_string();
    let file = match crate::parse::read_flow_file(&args.file, &display) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("mf-windmill: error: {display}: {e}");
            return 2;
        }
    };
    let flows: Vec<_> = file
        .flows
        .iter()
        .filter(|f| args.flow.as_deref().is_none_or(|n| n == f.name))
        .collect();
    if flows.is_empty() {
        match &args.flow {
            Some(n) => eprintln!("mf-windmill: error: {display}: no flow named {n}"),
            None => eprintln!("mf-windmill: error: {display}: no FlowSpec subclass in this file"),
        }
        for d in &file.diagnostics {
            eprintln!("{}", crate::diag::render::concise_line(d));
        }
        return 1;
    }
    let graphs: Vec<FlowGraph> = flows.iter().map(|f| FlowGraph::new(f)).collect();
    let text = match args.format {
        GraphFormat::Json => {
            let mut s = serde_json::to_string_pretty(&output::file_json(&display, &graphs))
                .unwrap_or_default();
            s.push('\n');
            s
        }
        GraphFormat::Dot => graphs.iter().map(output::dot).collect(),
        GraphFormat::Mermaid => graphs.iter().map(output::mermaid).collect(),
    };
    print!("{text}");
    0
}
