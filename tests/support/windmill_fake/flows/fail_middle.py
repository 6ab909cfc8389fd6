from metaflow import FlowSpec, step


class FailMiddleFlow(FlowSpec):
    """The middle step fails: `mf-windmill run` must exit 1 and show its log tail."""

    @step
    def start(self):
        self.next(self.boom)

    @step
    def boom(self):
        print("about to fail: marker-7f3a")
        if self.input is None:
            raise ValueError("boom-marker-91c2")
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    FailMiddleFlow()
