//! `mf-windmill publish EVENT [--payload JSON]`: publish a Metaflow event on Windmill, as
//! `ArgoEvent(name).publish(payload)` does on Argo: every deployed flow whose @trigger
//! listens to EVENT starts (the event registry `f/metaflow/events`, `api::registry`), with
//! the payload fields mapped to its parameters. Prints the pathspec `Flow/wm-<job>` of each
//! started run on stdout, one a line (nothing when no flow listens).

use clap::Args;
use serde_json::{Map, Value};

use super::remote::{self, RemoteFlags};
use crate::api::registry;

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The event name (`[A-Za-z0-9_.-]`, as Metaflow's @trigger accepts).
    pub event: String,
    /// The event payload: a JSON object (its fields feed the listening flows' parameters).
    #[arg(long, value_name = "JSON", default_value = "{}")]
    pub payload: String,
    #[command(flatten)]
    pub remote: RemoteFlags,
}

pub fn run(args: PublishArgs) -> i32 {
    if args.event.is_empty()
        || !args
            .event
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return remote::usage(format!(
            "event name `{}`: only letters, digits, `_`, `-` and `.` are allowed",
            args.event
        ));
    }
    let payload: Map<String, Value> = match serde_json::from_str(&args.payload) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return remote::usage("--payload must be a JSON object"),
        Err(e) => return remote::usage(format!("--payload is not JSON: {e}")),
    };
    let (client, rt) = match remote::connect(&args.remote) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match rt.block_on(registry::publish(&client, &args.event, &payload)) {
        Ok(started) => {
            if started.is_empty() {
                eprintln!(
                    "mf-windmill: no flow listens to {} in workspace {}",
                    args.event,
                    client.workspace()
                );
            }
            for s in &started {
                eprintln!(
                    "mf-windmill: {} started {} ({})",
                    args.event,
                    s.flow_path,
                    client.job_url(s.job)
                );
                println!("{}/{}", s.flow_name, remote::run_id(s.job));
            }
            0
        }
        Err(e) => remote::api_fail(&e),
    }
}
