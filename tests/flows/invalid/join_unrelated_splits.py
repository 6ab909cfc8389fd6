# check: check_split_join_balance msg3 (join of steps from unrelated splits)
from metaflow import FlowSpec, step


class JoinUnrelatedSplitsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.left, self.right)

    @step
    def left(self):
        self.next(self.left_a, self.right)

    @step
    def left_a(self):
        self.next(self.join)

    @step
    def right(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    JoinUnrelatedSplitsFlow()
