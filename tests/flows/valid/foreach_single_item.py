from metaflow import FlowSpec, step


class ForeachSingleItemFlow(FlowSpec):
    """A foreach of width 1, iterating over a tuple."""

    @step
    def start(self):
        self.only = ("solo",)
        self.next(self.each, foreach="only")

    @step
    def each(self):
        self.val = self.input + "!"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.vals = [inp.val for inp in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.vals == ["solo!"]


if __name__ == "__main__":
    ForeachSingleItemFlow()
