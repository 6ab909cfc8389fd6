from metaflow import FlowSpec, step


class ForeachSequentialFlow(FlowSpec):
    """Two foreach fan-outs one after the other."""

    @step
    def start(self):
        self.first = [1, 2, 3]
        self.next(self.stage1, foreach="first")

    @step
    def stage1(self):
        self.y = self.input * 2
        self.next(self.join1)

    @step
    def join1(self, inputs):
        self.second = [i.y for i in inputs]
        self.next(self.between)

    @step
    def between(self):
        self.next(self.stage2, foreach="second")

    @step
    def stage2(self):
        self.z = self.input + 1
        self.next(self.join2)

    @step
    def join2(self, inputs):
        self.zs = [i.z for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.zs == [3, 5, 7]


if __name__ == "__main__":
    ForeachSequentialFlow()
