from metaflow import FlowSpec, step


class ForeachSwitchRecursiveFlow(FlowSpec):
    """A recursive switch (loop) inside a foreach body."""

    @step
    def start(self):
        self.targets = [2, 3]
        self.next(self.init_item, foreach="targets")

    @step
    def init_item(self):
        self.target = self.input
        self.n = 0
        self.next(self.step_up)

    @step
    def step_up(self):
        self.n += 1
        self.more = "yes" if self.n < self.target else "no"
        self.next({"yes": self.step_up, "no": self.item_done}, condition="more")

    @step
    def item_done(self):
        self.next(self.join)

    @step
    def join(self, inputs):
        self.ns = [i.n for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.ns == [2, 3], self.ns


if __name__ == "__main__":
    ForeachSwitchRecursiveFlow()
