# check: check_valid_transitions (condition= is not a string literal)
from metaflow import FlowSpec, step

COND = "mode"


class SwitchConditionVariableFlow(FlowSpec):
    @step
    def start(self):
        self.mode = "a"
        self.next({"a": self.a, "b": self.b}, condition=COND)

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
    SwitchConditionVariableFlow()
