# check: check_unknown_transitions
from metaflow import FlowSpec, step


class UnknownTargetFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self):
        self.next(self.nowhere)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    UnknownTargetFlow()
