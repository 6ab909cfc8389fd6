# mf-windmill's Metaflow extension (installed by the metaflow-windmill wheel): the
# `python flow.py windmill ...` command group and the `Deployer(...).windmill()` API, both
# of which let Metaflow resolve the flow and then hand over to the mf-windmill binary.
CLIS_DESC = [("windmill", ".windmill_cli.cli")]
DEPLOYER_IMPL_PROVIDERS_DESC = [
    ("windmill", ".windmill_deployer.WindmillDeployer"),
]
