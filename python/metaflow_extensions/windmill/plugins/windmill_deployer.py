"""`Deployer("flow.py").windmill(...)`: Metaflow's Deployer API on Windmill.

Like Argo Workflows' deployer, every operation runs `python flow.py windmill ...` in a
subprocess (Metaflow's DeployerImpl machinery) and reads the attribute file the command
writes. The Windmill connection given to `create(windmill_host=..., windmill_token=...)`
is kept in the environment of those subprocesses (never on their command lines), so that
`trigger`, `delete`, `status` and `terminate` reach the same server.
"""

from typing import Any, ClassVar, Dict, Optional

from metaflow.runner.deployer_impl import DeployerImpl

# create() keyword → environment variable of every later subprocess.
CONNECTION_ENV = (
    ("windmill_host", "WINDMILL_HOST"),
    ("windmill_workspace", "WINDMILL_WORKSPACE"),
    ("windmill_token", "WINDMILL_TOKEN"),
)


class WindmillDeployer(DeployerImpl):
    """
    Deployer implementation for Windmill.

    Parameters
    ----------
    name : str, optional, default None
        Windmill flow name (last part of the path f/<folder>/<name>); the flow name (or
        the @project flow name) is used if not given.
    folder : str, optional, default "metaflow"
        Windmill folder of the flow's path.
    """

    TYPE: ClassVar[Optional[str]] = "windmill"

    def __init__(self, deployer_kwargs: Dict[str, str], **kwargs):
        self._deployer_kwargs = deployer_kwargs
        super().__init__(**kwargs)

    @property
    def deployer_kwargs(self) -> Dict[str, Any]:
        return self._deployer_kwargs

    @staticmethod
    def deployed_flow_type():
        from .windmill_deployer_objects import WindmillDeployedFlow

        return WindmillDeployedFlow

    def set_connection(self, kwargs):
        """Move the connection keywords out of `kwargs` into the subprocess environment."""
        for key, var in CONNECTION_ENV:
            value = kwargs.pop(key, None)
            if value is not None:
                self.env_vars[var] = str(value)

    def create(self, **kwargs):
        """
        Deploy the flow to Windmill.

        Parameters
        ----------
        windmill_host : str, optional
            Windmill base URL (default: $WINDMILL_HOST).
        windmill_token : str, optional
            Windmill token (default: $WINDMILL_TOKEN). Kept in the environment of the
            deployer's subprocesses; never on a command line, never written.
        windmill_workspace : str, optional
            Windmill workspace (default: $WINDMILL_WORKSPACE, else admins).
        tags : List[str], optional
            Tags of every run.
        user_namespace : str, optional
            Metaflow namespace of the steps.
        max_workers : int, optional
            Parallelism of every foreach.
        python_bin : str, optional
            Python interpreter on the Windmill workers.
        only_json : bool, optional
            Only compile; deploy nothing.

        Returns
        -------
        WindmillDeployedFlow
        """
        from .windmill_deployer_objects import WindmillDeployedFlow

        self.set_connection(kwargs)
        return self._create(WindmillDeployedFlow, **kwargs)
