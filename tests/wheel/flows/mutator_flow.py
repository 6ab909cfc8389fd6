import os

from metaflow import (
    Config,
    FlowMutator,
    FlowSpec,
    Parameter,
    StepMutator,
    current,
    environment,
    retry,
    step,
)


class AddParameters(FlowMutator):
    """Adds the parameters listed in the config (the file never declares them)."""

    def pre_mutate(self, mutable_flow):
        for p in mutable_flow.config.get("params", []):
            mutable_flow.add_parameter(
                p["name"],
                Parameter(p["name"], type=str, default=p["default"]),
                overwrite=True,
            )


class EnvAndRetry(StepMutator):
    """Adds @environment and @retry from the config to the step it decorates."""

    def pre_mutate(self, mutable_step):
        cfg = mutable_step.flow.config
        mutable_step.add_decorator(environment, deco_kwargs={"vars": dict(cfg["env"])})
        mutable_step.add_decorator(
            retry, deco_kwargs={"times": cfg["retries"], "minutes_between_retries": 0}
        )


@AddParameters
class MutatorFlow(FlowSpec):
    config = Config(
        "config",
        default_value={
            "params": [{"name": "added", "default": "from-config"}],
            "env": {"MUTATED": "yes"},
            "retries": 1,
        },
    )
    list_param = Parameter("list_param", separator=",", default="a,b,c")

    @EnvAndRetry
    @step
    def start(self):
        self.mutated = os.environ.get("MUTATED")
        self.added_value = self.added
        self.list_value = list(self.list_param)
        self.attempt = current.retry_count
        if current.retry_count < 1:
            raise RuntimeError("the first attempt fails on purpose")
        self.next(self.end)

    @step
    def end(self):
        self.end_env = os.environ.get("MUTATED")


if __name__ == "__main__":
    MutatorFlow()
