from metaflow import FlowSpec, step


class JoinCustomArgNameFlow(FlowSpec):
    """Join steps whose second argument is not called `inputs`."""

    @step
    def start(self):
        self.seq = [1, 2]
        self.next(self.inc, foreach="seq")

    @step
    def inc(self):
        self.v = self.input + 1
        self.next(self.gather)

    @step
    def gather(self, branches):
        self.vs = [b.v for b in branches]
        self.next(self.split)

    @step
    def split(self):
        self.next(self.p, self.q)

    @step
    def p(self):
        self.w = 1
        self.next(self.merge)

    @step
    def q(self):
        self.w = 2
        self.next(self.merge)

    @step
    def merge(self, ins):
        self.ws = sorted(i.w for i in ins)
        self.merge_artifacts(ins, exclude=["w"])
        self.next(self.end)

    @step
    def end(self):
        assert self.vs == [2, 3] and self.ws == [1, 2]


if __name__ == "__main__":
    JoinCustomArgNameFlow()
