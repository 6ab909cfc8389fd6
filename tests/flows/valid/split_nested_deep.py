from metaflow import FlowSpec, step


class SplitNestedDeepFlow(FlowSpec):
    """Three levels of static splits, the innermost in the second branch."""

    @step
    def start(self):
        self.tag = "s"
        self.next(self.l1_a, self.l1_b)

    @step
    def l1_a(self):
        self.tag += "a"
        self.next(self.l1_join)

    @step
    def l1_b(self):
        self.tag += "b"
        self.next(self.l2_a, self.l2_b, self.l2_c)

    @step
    def l2_a(self):
        self.tag += "A"
        self.next(self.l2_join)

    @step
    def l2_b(self):
        self.tag += "B"
        self.next(self.l3_x, self.l3_y)

    @step
    def l3_x(self):
        self.tag += "x"
        self.next(self.l3_join)

    @step
    def l3_y(self):
        self.tag += "y"
        self.next(self.l3_join)

    @step
    def l3_join(self, inputs):
        self.tag = "+".join(sorted(i.tag for i in inputs))
        self.next(self.l2_join)

    @step
    def l2_c(self):
        self.tag += "C"
        self.next(self.l2_join)

    @step
    def l2_join(self, inputs):
        self.tag = "|".join(sorted(i.tag for i in inputs))
        self.next(self.l1_join)

    @step
    def l1_join(self, inputs):
        self.tags = sorted(i.tag for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        print(self.tags)
        assert self.tags == ["sa", "sbA|sbBx+sbBy|sbC"], self.tags


if __name__ == "__main__":
    SplitNestedDeepFlow()
