"""A deploy-time Parameter default that must be evaluated once per deploy: a second call
(from trigger, resume, delete or list-runs) fails, as in Metaflow's test/core
DynamicParameterTest."""

import os

from metaflow import FlowSpec, Parameter, step


def stamp(ctx):
    marker = "once_flow.evaluated"
    if os.path.exists(marker):
        raise Exception("deploy-time default evaluated twice")
    with open(marker, "w") as f:
        f.write("x")
    return "stamped by " + ctx.user_name


class OnceFlow(FlowSpec):
    label = Parameter("label", default=stamp)

    @step
    def start(self):
        self.seen = self.label
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    OnceFlow()
