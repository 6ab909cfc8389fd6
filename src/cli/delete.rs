//! `mf-windmill delete flow.py`: remove the deployed flow and its schedule.

use clap::Args;

use super::compile::{CompileFlags, compile_flags};
use super::remote::{self, RemoteFlags};
use crate::api::Client;

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    #[command(flatten)]
    pub remote: RemoteFlags,
}

pub fn run(args: DeleteArgs) -> i32 {
    let cfg = match args.remote.resolve() {
        Ok(c) => c,
        Err(e) => return remote::usage(e),
    };
    let c = match compile_flags(&args.flags) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let path = remote::flow_path(&c, cfg.name.as_deref());
    let client = match Client::new(cfg.client) {
        Ok(c) => c,
        Err(e) => return remote::api_fail(&e),
    };
    let rt = match remote::runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async {
        match client.flow_exists(&path).await {
            Ok(true) => {}
            Ok(false) => {
                return remote::fail(format!(
                    "flow {path} is not deployed in workspace {}: nothing to delete",
                    client.workspace()
                ));
            }
            Err(e) => return remote::api_fail(&e),
        }
        match client.schedule_exists(&path).await {
            Ok(true) => {
                if let Err(e) = client.delete_schedule(&path).await {
                    return remote::api_fail(&e);
                }
                eprintln!("mf-windmill: deleted schedule {path}");
            }
            Ok(false) => {}
            Err(e) => return remote::api_fail(&e),
        }
        if let Err(e) = client.delete_flow(&path).await {
            return remote::api_fail(&e);
        }
        eprintln!(
            "mf-windmill: deleted flow {path} from workspace {}",
            client.workspace()
        );
        println!("{path}");
        0
    })
}
