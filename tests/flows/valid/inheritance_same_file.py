from metaflow import FlowSpec, Parameter, step


class BaseSteps(FlowSpec):
    """Base class holding the first steps; not a flow on its own in this file."""

    greeting = Parameter("greeting", default="hi")

    @step
    def start(self):
        self.words = [self.greeting]
        self.next(self.shared)

    @step
    def shared(self):
        self.words.append("shared")
        self.next(self.child_step)


class InheritanceSameFileFlow(BaseSteps):
    """Adds the remaining steps."""

    @step
    def child_step(self):
        self.words.append("child")
        self.next(self.end)

    @step
    def end(self):
        assert self.words == ["hi", "shared", "child"]


if __name__ == "__main__":
    InheritanceSameFileFlow()
