from metaflow import FlowSpec, step


class SplitWithForeachInsideFlow(FlowSpec):
    """A foreach inside one branch of a static split."""

    @step
    def start(self):
        self.next(self.fan, self.plain)

    @step
    def fan(self):
        self.letters = list("xyz")
        self.next(self.each_letter, foreach="letters")

    @step
    def each_letter(self):
        self.out = self.input.upper()
        self.next(self.fan_join)

    @step
    def fan_join(self, inputs):
        self.out = "".join(i.out for i in inputs)
        self.next(self.join)

    @step
    def plain(self):
        self.out = "plain"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.outs = sorted(i.out for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.outs == ["XYZ", "plain"]


if __name__ == "__main__":
    SplitWithForeachInsideFlow()
