# check: check_step_names (leading underscore)
from metaflow import FlowSpec, step


class BadNameUnderscoreFlow(FlowSpec):
    @step
    def start(self):
        self.next(self._private)

    @step
    def _private(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BadNameUnderscoreFlow()
