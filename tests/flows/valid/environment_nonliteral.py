# @environment(vars=ENV) with ENV a module dict: evaluated statically
from metaflow import FlowSpec, environment, step

ENV = {"MODE": "batch"}


class EnvironmentNonliteralFlow(FlowSpec):
    @environment(vars=ENV)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    EnvironmentNonliteralFlow()
