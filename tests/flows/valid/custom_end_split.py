from metaflow import FlowSpec, step


class CustomEndSplitFlow(FlowSpec):
    """Legacy `start`, custom terminal step, split whose start is the entry."""

    @step
    def start(self):
        self.next(self.a, self.b)

    @step
    def a(self):
        self.x = 1
        self.next(self.merge)

    @step
    def b(self):
        self.x = 2
        self.next(self.merge)

    @step
    def merge(self, inputs):
        self.x = sum(i.x for i in inputs)
        self.next(self.wrap_up)

    @step(end=True)
    def wrap_up(self):
        assert self.x == 3


if __name__ == "__main__":
    CustomEndSplitFlow()
