# check: check_split_join_balance msg1 (join reached by the wrong number of paths)
from metaflow import FlowSpec, step


class SplitJoinWrongPathsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.join)

    @step
    def b(self):
        self.next(self.end)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SplitJoinWrongPathsFlow()
