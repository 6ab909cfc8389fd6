# check: check_split_join_balance msg0 (end reached before the split is joined)
from metaflow import FlowSpec, step


class SplitEndBeforeJoinFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.next(self.end)

    @step
    def b(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    SplitEndBeforeJoinFlow()
