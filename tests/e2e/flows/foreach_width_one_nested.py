from metaflow import FlowSpec, step


class ForeachWidthOneNestedFlow(FlowSpec):
    """Foreach of width 1 around a static split."""

    @step
    def start(self):
        self.items = ["only"]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        self.item = self.input
        self.next(self.left, self.right)

    @step
    def left(self):
        self.side = "l"
        self.next(self.meet)

    @step
    def right(self):
        self.side = "r"
        self.next(self.meet)

    @step
    def meet(self, inputs):
        self.sides = sorted(i.side for i in inputs)
        self.item = inputs[0].item
        self.next(self.join)

    @step
    def join(self, inputs):
        self.all = [(i.item, i.sides) for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.all == [("only", ["l", "r"])], self.all


if __name__ == "__main__":
    ForeachWidthOneNestedFlow()
