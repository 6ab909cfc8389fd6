# check: check_join_followed_by_parallel_step
from metaflow import FlowSpec, parallel, step


class ParallelNotFollowedByJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.train, num_parallel=2)

    @parallel
    @step
    def train(self):
        self.next(self.after)

    @step
    def after(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParallelNotFollowedByJoinFlow()
