from metaflow import FlowSpec, step


class ForeachBasicFlow(FlowSpec):
    @step
    def start(self):
        self.items = ["a", "bb", "ccc"]
        self.next(self.measure, foreach="items")

    @step
    def measure(self):
        self.item = self.input
        self.size = len(self.input)
        self.next(self.join)

    @step
    def join(self, inputs):
        self.sizes = [i.size for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.sizes == [1, 2, 3]


if __name__ == "__main__":
    ForeachBasicFlow()
