from metaflow import FlowSpec, step


class CustomStartOnlyFlow(FlowSpec):
    """Custom entry step; the terminal step keeps the legacy name `end`."""

    @step(start=True)
    def entry(self):
        self.items = [1, 2]
        self.next(self.work, foreach="items")

    @step
    def work(self):
        self.v = self.input + 1
        self.next(self.join)

    @step
    def join(self, inputs):
        self.vs = [i.v for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.vs == [2, 3]


if __name__ == "__main__":
    CustomStartOnlyFlow()
