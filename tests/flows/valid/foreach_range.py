from metaflow import FlowSpec, step


class ForeachRangeFlow(FlowSpec):
    """Foreach over a range object (not a list)."""

    @step
    def start(self):
        self.indices = range(4)
        self.next(self.body, foreach="indices")

    @step
    def body(self):
        self.idx = self.input
        self.is_even = self.idx % 2 == 0
        self.next(self.join)

    @step
    def join(self, inputs):
        self.evens = [i.idx for i in inputs if i.is_even]
        self.next(self.end)

    @step
    def end(self):
        assert self.evens == [0, 2]


if __name__ == "__main__":
    ForeachRangeFlow()
