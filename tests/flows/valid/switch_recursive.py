from metaflow import FlowSpec, step


class SwitchRecursiveFlow(FlowSpec):
    """A loop expressed as a recursive switch: a case points back to the step."""

    @step
    def start(self):
        self.counter = 0
        self.next(self.loop)

    @step
    def loop(self):
        self.counter += 1
        self.status = "done" if self.counter >= 3 else "again"
        self.next({"again": self.loop, "done": self.finish}, condition="status")

    @step
    def finish(self):
        self.final_count = self.counter
        self.next(self.end)

    @step
    def end(self):
        assert self.final_count == 3, self.final_count


if __name__ == "__main__":
    SwitchRecursiveFlow()
