from metaflow import FlowSpec, step


class SplitNestedFlow(FlowSpec):
    @step
    def start(self):
        self.x = 2
        self.next(self.outer_a, self.outer_b)

    @step
    def outer_a(self):
        self.next(self.inner_a1, self.inner_a2)

    @step
    def inner_a1(self):
        self.y = self.x + 1
        self.next(self.inner_join)

    @step
    def inner_a2(self):
        self.y = self.x + 2
        self.next(self.inner_join)

    @step
    def inner_join(self, inputs):
        self.y = sum(i.y for i in inputs)
        self.next(self.outer_join)

    @step
    def outer_b(self):
        self.y = self.x * 100
        self.next(self.outer_join)

    @step
    def outer_join(self, inputs):
        self.total = sum(i.y for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.total == 207


if __name__ == "__main__":
    SplitNestedFlow()
