# check: check_step_names (upper-case letters)
from metaflow import FlowSpec, step


class BadNameCamelFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.doWork)

    @step
    def doWork(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BadNameCamelFlow()
