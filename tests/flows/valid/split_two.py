from metaflow import FlowSpec, step


class SplitTwoFlow(FlowSpec):
    @step
    def start(self):
        self.base = 10
        self.next(self.add, self.mul)

    @step
    def add(self):
        self.value = self.base + 5
        self.next(self.join)

    @step
    def mul(self):
        self.value = self.base * 5
        self.next(self.join)

    @step
    def join(self, inputs):
        self.values = sorted(inp.value for inp in inputs)
        self.base = inputs.add.base
        self.next(self.end)

    @step
    def end(self):
        assert self.values == [15, 50]


if __name__ == "__main__":
    SplitTwoFlow()
