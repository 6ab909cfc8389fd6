# check: check_split_join_balance msg2 (join not preceded by a split)
from metaflow import FlowSpec, step


class JoinWithoutSplitFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.a)

    @step
    def a(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    JoinWithoutSplitFlow()
