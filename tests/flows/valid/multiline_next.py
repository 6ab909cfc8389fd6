from metaflow import FlowSpec, step

THRESHOLD = 2  # module-level constant used inside steps (fine for the graph)


class MultilineNextFlow(FlowSpec):
    """self.next calls spread over several lines, comments and helper methods."""

    LIMIT = 10  # class attribute, not a parameter

    def helper(self, x):
        """A plain method, not a step."""
        return x + 1

    @staticmethod
    def static_helper(x):
        return x * 2

    @step
    def start(self):
        self.values = [self.helper(v) for v in range(3)]
        # a comment before the transition
        self.next(
            self.left,
            # a comment inside the call
            self.right,
        )  # trailing comment

    @step
    def left(self):
        if len(self.values) > THRESHOLD:
            self.side = "big"
        else:
            self.side = "small"
        self.next(
            self.join
        )

    @step
    def right(self):
        with open(__file__) as fh:
            self.first_line = fh.readline().strip()
        for v in self.values:
            pass
        self.side = "right"
        self.next(self.join)
        # a trailing comment after the transition is not a statement

    @step
    def join(self, inputs):
        self.sides = sorted(i.side for i in inputs)
        self.doubled = [self.static_helper(v) for v in inputs.left.values]
        self.next(self.end)

    @step
    def end(self):
        assert self.sides == ["big", "right"]
        assert self.doubled == [2, 4, 6]


if __name__ == "__main__":
    MultilineNextFlow()
