# check: check_valid_transitions (foreach and num_parallel together)
from metaflow import FlowSpec, step


class TransitionTwoKeywordsFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1]
        self.next(self.body, foreach="items", num_parallel=2)

    @step
    def body(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TransitionTwoKeywordsFlow()
