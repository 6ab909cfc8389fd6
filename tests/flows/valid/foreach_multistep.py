from metaflow import FlowSpec, step


class ForeachMultistepFlow(FlowSpec):
    """The foreach body has three steps before the join."""

    @step
    def start(self):
        self.nums = [3, 1, 2]
        self.next(self.square, foreach="nums")

    @step
    def square(self):
        self.n = self.input
        self.sq = self.n * self.n
        self.next(self.plus_one)

    @step
    def plus_one(self):
        self.sq += 1
        self.next(self.describe)

    @step
    def describe(self):
        self.desc = "%d->%d" % (self.n, self.sq)
        self.next(self.collect)

    @step
    def collect(self, inputs):
        self.descs = [i.desc for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.descs == ["3->10", "1->2", "2->5"], self.descs


if __name__ == "__main__":
    ForeachMultistepFlow()
