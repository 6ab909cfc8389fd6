from metaflow import FlowSpec, step


class ForeachNested3Flow(FlowSpec):
    """Three levels of foreach, each with width 2 at most."""

    @step
    def start(self):
        self.a_vals = [1, 2]
        self.next(self.level_a, foreach="a_vals")

    @step
    def level_a(self):
        self.a = self.input
        self.b_vals = [10, 20]
        self.next(self.level_b, foreach="b_vals")

    @step
    def level_b(self):
        self.b = self.input
        self.c_vals = [100]
        self.next(self.level_c, foreach="c_vals")

    @step
    def level_c(self):
        self.total = self.a + self.b + self.input
        self.next(self.join_c)

    @step
    def join_c(self, inputs):
        self.total = sum(i.total for i in inputs)
        self.next(self.join_b)

    @step
    def join_b(self, inputs):
        self.total = sum(i.total for i in inputs)
        self.next(self.join_a)

    @step
    def join_a(self, inputs):
        self.totals = [i.total for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.totals == [232, 234], self.totals


if __name__ == "__main__":
    ForeachNested3Flow()
