# check: check_parallel_foreach_calls_parallel_step
from metaflow import FlowSpec, parallel, step


class ParallelNotViaNumParallelFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2]
        self.next(self.train, foreach="items")

    @parallel
    @step
    def train(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelNotViaNumParallelFlow()
