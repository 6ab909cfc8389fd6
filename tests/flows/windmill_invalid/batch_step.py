# expect: @batch (AWS Batch compute) is not supported on Windmill
from metaflow import FlowSpec, batch, step


class BatchStepFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.remote)

    @batch(cpu=1, memory=2048)
    @step
    def remote(self):
        self.x = 1
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    BatchStepFlow()
