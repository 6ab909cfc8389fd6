from metaflow import FlowSpec, Parameter, step


class ForeachWidthParamFlow(FlowSpec):
    """Foreach whose width is driven by a parameter (default 1).

    Width 0 is rejected by Metaflow at run time ("produced zero splits").
    """

    width = Parameter("width", type=int, default=1, help="number of foreach tasks")

    @step
    def start(self):
        self.work = list(range(self.width))
        self.next(self.body, foreach="work")

    @step
    def body(self):
        self.out = self.input * 10
        self.next(self.join)

    @step
    def join(self, inputs):
        self.outs = [i.out for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.outs == [10 * i for i in range(self.width)]


if __name__ == "__main__":
    ForeachWidthParamFlow()
