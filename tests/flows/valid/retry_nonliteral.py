# @retry(times=N) with N a module constant: evaluated statically (Metaflow records times: 2)
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
