from metaflow import FlowSpec, step


class SwitchInBranchToJoinFlow(FlowSpec):
    """A switch inside one branch of a static split.

    The switch's case steps both go straight into the split's join (the switch
    step itself never transitions directly into the join).
    """

    @step
    def start(self):
        self.n = 4
        self.next(self.decide, self.other)

    @step
    def decide(self):
        self.parity = "even" if self.n % 2 == 0 else "odd"
        self.next({"even": self.on_even, "odd": self.on_odd}, condition="parity")

    @step
    def on_even(self):
        self.msg = "even"
        self.next(self.join)

    @step
    def on_odd(self):
        self.msg = "odd"
        self.next(self.join)

    @step
    def other(self):
        self.msg = "other"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.msgs = sorted(i.msg for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.msgs == ["even", "other"], self.msgs


if __name__ == "__main__":
    SwitchInBranchToJoinFlow()
