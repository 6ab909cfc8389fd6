from metaflow import FlowSpec, step


class SwitchInBranchMergeFlow(FlowSpec):
    """A switch inside a branch, reconverging on a linear step before the join."""

    @step
    def start(self):
        self.level = 1
        self.next(self.left, self.right)

    @step
    def left(self):
        self.pick = "b" if self.level else "a"
        self.next({"a": self.left_a, "b": self.left_b}, condition="pick")

    @step
    def left_a(self):
        self.val = "A"
        self.next(self.left_merge)

    @step
    def left_b(self):
        self.val = "B"
        self.next(self.left_merge)

    @step
    def left_merge(self):
        self.val = self.val * 2
        self.next(self.join)

    @step
    def right(self):
        self.val = "R"
        self.next(self.join)

    @step
    def join(self, inputs):
        self.vals = sorted(i.val for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.vals == ["BB", "R"]


if __name__ == "__main__":
    SwitchInBranchMergeFlow()
