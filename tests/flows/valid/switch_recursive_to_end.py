from metaflow import FlowSpec, step


class SwitchRecursiveToEndFlow(FlowSpec):
    """A recursive switch whose exit case goes directly to the end step."""

    @step
    def start(self):
        self.value = 1
        self.next(self.grow)

    @step
    def grow(self):
        self.value *= 2
        self.state = "stop" if self.value > 10 else "continue"
        self.next({"continue": self.grow, "stop": self.end}, condition="state")

    @step
    def end(self):
        assert self.value == 16, self.value


if __name__ == "__main__":
    SwitchRecursiveToEndFlow()
