# check: check_valid_transitions (dict without condition=)
from metaflow import FlowSpec, step


class TransitionDictNoConditionFlow(FlowSpec):
    @step
    def start(self):
        self.next({"a": self.a, "b": self.end})

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TransitionDictNoConditionFlow()
