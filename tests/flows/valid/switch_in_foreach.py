from metaflow import FlowSpec, step


class SwitchInForeachFlow(FlowSpec):
    """A switch inside a foreach body, reconverging before the foreach join."""

    @step
    def start(self):
        self.values = [1, 2, 3, 4]
        self.next(self.check, foreach="values")

    @step
    def check(self):
        self.v = self.input
        self.kind = "even" if self.v % 2 == 0 else "odd"
        self.next({"even": self.halve, "odd": self.triple}, condition="kind")

    @step
    def halve(self):
        self.out = self.v // 2
        self.next(self.after)

    @step
    def triple(self):
        self.out = self.v * 3 + 1
        self.next(self.after)

    @step
    def after(self):
        self.pair = (self.v, self.out)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.pairs = [list(i.pair) for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.pairs == [[1, 4], [2, 1], [3, 10], [4, 2]], self.pairs


if __name__ == "__main__":
    SwitchInForeachFlow()
