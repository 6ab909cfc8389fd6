# check: check_that_end_is_end (end calls self.next() with no target)
from metaflow import FlowSpec, step


class EndEmptyNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.x = 1
        self.next()


if __name__ == "__main__":
    EndEmptyNextFlow()
