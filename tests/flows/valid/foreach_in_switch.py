from metaflow import FlowSpec, step


class ForeachInSwitchFlow(FlowSpec):
    """One switch case fans out with a foreach; both cases meet at a linear step."""

    @step
    def start(self):
        self.batch = [1, 2, 3]
        self.how = "parallel" if len(self.batch) > 1 else "serial"
        self.next({"parallel": self.fan, "serial": self.serial}, condition="how")

    @step
    def fan(self):
        self.next(self.work, foreach="batch")

    @step
    def work(self):
        self.out = self.input * self.input
        self.next(self.fan_join)

    @step
    def fan_join(self, inputs):
        self.outs = [i.out for i in inputs]
        self.next(self.merge)

    @step
    def serial(self):
        self.outs = [b * b for b in self.batch]
        self.next(self.merge)

    @step
    def merge(self):
        self.total = sum(self.outs)
        self.next(self.end)

    @step
    def end(self):
        assert self.total == 14


if __name__ == "__main__":
    ForeachInSwitchFlow()
