# check: check_valid_transitions (unknown keyword argument)
from metaflow import FlowSpec, step


class TransitionUnknownKeywordFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1]
        self.next(self.body, for_each="items")

    @step
    def body(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TransitionUnknownKeywordFlow()
