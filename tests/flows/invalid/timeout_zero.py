# check: step_init of @timeout (TimeoutDecorator): no duration
from metaflow import FlowSpec, step, timeout


class TimeoutZeroFlow(FlowSpec):
    @timeout(seconds=0)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TimeoutZeroFlow()
