# expect: @parallel / num_parallel (gang-scheduled multi-node step) is not supported on Windmill
from metaflow import FlowSpec, current, parallel, step


class ParallelNumParallelFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.rank = current.parallel.node_index
        self.next(self.join)

    @step
    def join(self, inputs):
        self.ranks = sorted(i.rank for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.ranks == [0, 1]


if __name__ == "__main__":
    ParallelNumParallelFlow()
