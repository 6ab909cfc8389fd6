from metaflow import FlowSpec, step


class CustomStartEndFlow(FlowSpec):
    """Entry and terminal steps chosen with @step(start=True) / @step(end=True)."""

    @step(start=True)
    def begin(self):
        self.msg = "hello"
        self.next(self.middle)

    @step
    def middle(self):
        self.msg += " world"
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        assert self.msg == "hello world"


if __name__ == "__main__":
    CustomStartEndFlow()
