# check: step_init of @retry (RetryDecorator): times=5 is over MAX_ATTEMPTS - 2
from metaflow import FlowSpec, retry, step


class RetryTooManyFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @retry(times=5)
    @step
    def end(self):
        pass


if __name__ == "__main__":
    RetryTooManyFlow()
