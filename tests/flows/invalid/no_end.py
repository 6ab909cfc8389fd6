# check: check_basic_steps (no end step)
from metaflow import FlowSpec, step


class NoEndFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.finish)

    @step
    def finish(self):
        pass


if __name__ == "__main__":
    NoEndFlow()
