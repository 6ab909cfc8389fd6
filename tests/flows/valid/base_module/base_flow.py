"""A FlowSpec base class living in a sibling module."""
from metaflow import FlowSpec, Parameter, retry, step


class BaseTrainingFlow(FlowSpec):
    seed = Parameter("seed", default=7, help="random seed")

    @step
    def start(self):
        self.data = [self.seed * i for i in range(3)]
        self.next(self.fit)

    @retry(times=2, minutes_between_retries=0)
    @step
    def evaluate(self):
        self.score = sum(self.weights)
        self.next(self.end)

    @step
    def end(self):
        assert self.score == 21 * 2
