from metaflow import FlowSpec, step


class DirOrderFlow(FlowSpec):
    """Step names chosen so that definition order, topological order and
    Metaflow's dir() (sorted) order all differ."""

    @step
    def start(self):
        self.trace = ["start"]
        self.next(self.z_first)

    @step
    def z_first(self):
        self.trace.append("z_first")
        self.next(self.step_10)

    @step
    def step_10(self):
        self.trace.append("step_10")
        self.next(self.step_2)

    @step
    def step_2(self):
        self.trace.append("step_2")
        self.next(self.a_last, self.b9)

    @step
    def b9(self):
        self.next(self.a_join)

    @step
    def a_last(self):
        self.next(self.a_join)

    @step
    def a_join(self, inputs):
        self.trace = inputs.a_last.trace + ["a_join"]
        self.next(self.end)

    @step
    def end(self):
        assert self.trace == ["start", "z_first", "step_10", "step_2", "a_join"]


if __name__ == "__main__":
    DirOrderFlow()
