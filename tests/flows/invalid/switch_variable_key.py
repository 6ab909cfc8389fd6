# check: check_valid_transitions (switch key is a variable)
from metaflow import FlowSpec, step

FAST = "fast"


class SwitchVariableKeyFlow(FlowSpec):
    @step
    def start(self):
        self.mode = FAST
        self.next({FAST: self.a, "slow": self.b}, condition="mode")

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SwitchVariableKeyFlow()
