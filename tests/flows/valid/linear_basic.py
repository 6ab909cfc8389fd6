from metaflow import FlowSpec, step


class LinearBasicFlow(FlowSpec):
    """A straight line of steps passing artifacts along."""

    @step
    def start(self):
        self.numbers = [1, 2, 3]
        self.next(self.double)

    @step
    def double(self):
        self.doubled = [n * 2 for n in self.numbers]
        self.next(self.total)

    @step
    def total(self):
        self.sum = sum(self.doubled)
        self.next(self.end)

    @step
    def end(self):
        assert self.sum == 12
        print("sum", self.sum)


if __name__ == "__main__":
    LinearBasicFlow()
