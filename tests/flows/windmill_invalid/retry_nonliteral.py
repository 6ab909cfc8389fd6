# expect: decorator argument is not a literal (@retry(times=N) with N a module constant)
from metaflow import FlowSpec, retry, step

N = 2


class RetryNonliteralFlow(FlowSpec):
    @retry(times=N)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    RetryNonliteralFlow()
