from metaflow import FlowSpec, step


class ForeachWithSplitInsideFlow(FlowSpec):
    """A static split (branch) inside a foreach body."""

    @step
    def start(self):
        self.items = [2, 3]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.v = self.input
        self.next(self.left, self.right)

    @step
    def left(self):
        self.r = self.v + 1
        self.next(self.branch_join)

    @step
    def right(self):
        self.r = self.v * 2
        self.next(self.branch_join)

    @step
    def branch_join(self, inputs):
        self.r = sum(i.r for i in inputs)
        self.next(self.foreach_join)

    @step
    def foreach_join(self, inputs):
        self.rs = [i.r for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.rs == [7, 10], self.rs


if __name__ == "__main__":
    ForeachWithSplitInsideFlow()
