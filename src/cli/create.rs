//! `mf-windmill create flow.py`: check, compile, create or update the flow in Windmill
//! (idempotent), and create, update or remove its schedule from `@schedule`. Prints the
//! flow path and its URL on stdout. `--only-json` prints what would be deployed and
//! contacts nobody.

use clap::Args;
use serde_json::json;

use super::compile::{CompileFlags, compile_flags};
use super::remote::{self, RemoteFlags};
use crate::api::ScheduleSpec;

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    #[command(flatten)]
    pub remote: RemoteFlags,
    /// Print the flow (and schedule) that would be deployed, as JSON; deploy nothing.
    #[arg(long)]
    pub only_json: bool,
    #[command(flatten)]
    pub worker_check: super::worker_check::WorkerCheck,
}

pub fn run(args: CreateArgs) -> i32 {
    if args.only_json {
        let c = match compile_flags(&args.flags) {
            Ok(c) => c,
            Err(code) => return code,
        };
        if let Err(code) = args.worker_check.apply(&c, &args.flags.flow) {
            return code;
        }
        let path = remote::flow_path(&c, args.remote.name.as_deref());
        let mut flow = match serde_json::to_value(&c.openflow) {
            Ok(v) => v,
            Err(e) => return remote::fail(e),
        };
        if let Some(m) = flow.as_object_mut() {
            m.insert("path".into(), json!(path));
        }
        let schedule = c
            .schedule
            .as_ref()
            .and_then(|s| ScheduleSpec::from_compiled(s, &path))
            .map(|s| s.create_body());
        let out = json!({"flow": flow, "schedule": schedule});
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return 0;
    }
    let remote::Session {
        compiled: c,
        path,
        client,
        rt,
    } = match remote::Session::open(&args.flags, &args.remote, remote::Use::Deploy) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(code) = args.worker_check.apply(&c, &args.flags.flow) {
        return code;
    }
    match rt.block_on(remote::deploy(&client, &c, &path)) {
        Ok(d) => {
            remote::print_deployed(&client, &path, &d);
            0
        }
        Err(e) => remote::api_fail(&e),
    }
}
