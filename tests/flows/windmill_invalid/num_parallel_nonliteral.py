# expect: @parallel / num_parallel unsupported, and num_parallel= is not a literal (graph num_parallel is None)
from metaflow import FlowSpec, parallel, step

NODES = 2


class NumParallelNonliteralFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=NODES)

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
    NumParallelNonliteralFlow()
