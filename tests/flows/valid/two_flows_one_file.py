from metaflow import FlowSpec, step


class FirstOfTwoFlow(FlowSpec):
    """First of two independent flows in one file."""

    @step
    def start(self):
        self.x = 1
        self.next(self.end)

    @step
    def end(self):
        assert self.x == 1


class SecondOfTwoFlow(FlowSpec):
    """Second of two independent flows in one file (the one run by __main__)."""

    @step
    def start(self):
        self.y = [1, 2]
        self.next(self.each, foreach="y")

    @step
    def each(self):
        self.z = self.input * 3
        self.next(self.join)

    @step
    def join(self, inputs):
        self.zs = [i.z for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.zs == [3, 6]


if __name__ == "__main__":
    SecondOfTwoFlow()
