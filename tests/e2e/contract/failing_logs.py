"""A step that prints, then fails: its logs must still be saved."""

from metaflow import FlowSpec, step


class FailingLogsFlow(FlowSpec):
    @step
    def start(self):
        print("before the failure")
        self.next(self.boom)

    @step
    def boom(self):
        print("about to fail")
        raise ValueError("this step fails on purpose")
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    FailingLogsFlow()
