# check: check_for_acyclicity
from metaflow import FlowSpec, step


class LoopWithoutSwitchFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self):
        self.next(self.b)

    @step
    def b(self):
        self.next(self.a)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LoopWithoutSwitchFlow()
