from metaflow import FlowSpec, Parameter, project, step


@project(name="chain")
class GrandParent(FlowSpec):
    alpha = Parameter("alpha", default=1)

    @step
    def start(self):
        self.trail = ["gp"]
        self.next(self.middle)


class Parent(GrandParent):
    beta = Parameter("beta", default=2)

    @step
    def middle(self):
        self.trail.append("p")
        self.next(self.end)


class InheritanceChainFlow(Parent):
    """Three-level inheritance; the flow decorator comes from the grandparent."""

    @step
    def end(self):
        self.trail.append("c")
        assert self.trail == ["gp", "p", "c"]
        assert self.alpha + self.beta == 3


if __name__ == "__main__":
    InheritanceChainFlow()
