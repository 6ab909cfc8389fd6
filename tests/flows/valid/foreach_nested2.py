from metaflow import FlowSpec, step


class ForeachNested2Flow(FlowSpec):
    """Two levels of foreach."""

    @step
    def start(self):
        self.rows = [1, 2]
        self.next(self.row, foreach="rows")

    @step
    def row(self):
        self.r = self.input
        self.cols = ["x", "y", "z"]
        self.next(self.cell, foreach="cols")

    @step
    def cell(self):
        self.label = "%s%d" % (self.input, self.r)
        self.next(self.row_join)

    @step
    def row_join(self, inputs):
        self.labels = [i.label for i in inputs]
        self.next(self.grid_join)

    @step
    def grid_join(self, inputs):
        self.grid = [i.labels for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        assert self.grid == [["x1", "y1", "z1"], ["x2", "y2", "z2"]], self.grid


if __name__ == "__main__":
    ForeachNested2Flow()
