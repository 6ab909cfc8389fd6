from metaflow import FlowSpec, step


class SwitchToEndFlow(FlowSpec):
    """One switch case goes straight to the end step."""

    @step
    def start(self):
        self.skip = "yes"
        self.next({"yes": self.end, "no": self.extra}, condition="skip")

    @step
    def extra(self):
        self.extra_done = True
        self.next(self.end)

    @step
    def end(self):
        assert not hasattr(self, "extra_done")


if __name__ == "__main__":
    SwitchToEndFlow()
