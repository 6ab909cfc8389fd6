# @timeout(seconds=60 * 5): evaluated statically (Metaflow records 300)
from metaflow import FlowSpec, step, timeout


class TimeoutExpressionFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.slow)

    @timeout(seconds=60 * 5)
    @step
    def slow(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TimeoutExpressionFlow()
