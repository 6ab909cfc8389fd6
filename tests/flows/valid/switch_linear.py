from metaflow import FlowSpec, Parameter, step


class SwitchLinearFlow(FlowSpec):
    """A conditional switch whose two cases reconverge on a linear step."""

    mode = Parameter("mode", default="fast", help="fast or slow")

    @step
    def start(self):
        self.route = self.mode
        self.next({"fast": self.fast_path, "slow": self.slow_path}, condition="route")

    @step
    def fast_path(self):
        self.result = "took the fast path"
        self.next(self.merge)

    @step
    def slow_path(self):
        self.result = "took the slow path"
        self.next(self.merge)

    @step
    def merge(self):
        self.final = self.result.upper()
        self.next(self.end)

    @step
    def end(self):
        assert self.final == "TOOK THE %s PATH" % self.mode.upper()


if __name__ == "__main__":
    SwitchLinearFlow()
