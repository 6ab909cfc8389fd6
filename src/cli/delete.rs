//! `mf-windmill delete flow.py`: remove the deployed flow, its schedule and its entries in
//! the event registry (`api::registry`; the registry variable goes with the last entry).

use clap::Args;

use super::compile::CompileFlags;
use super::remote::{self, RemoteFlags};

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub flags: CompileFlags,
    #[command(flatten)]
    pub remote: RemoteFlags,
}

pub fn run(args: DeleteArgs) -> i32 {
    let remote::Session {
        path, client, rt, ..
    } = match remote::Session::open(&args.flags, &args.remote, remote::Use::Address) {
        Ok(s) => s,
        Err(code) => return code,
    };
    rt.block_on(async {
        // The flow's event registry entries go first, even if the flow itself is gone.
        match crate::api::registry::unregister(&client, &path).await {
            Ok(true) => eprintln!(
                "mf-windmill: removed {path} from the event registry {}",
                crate::api::registry::REGISTRY
            ),
            Ok(false) => {}
            Err(e) => return remote::api_fail(&e),
        }
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
