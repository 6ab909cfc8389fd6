from metaflow import FlowSpec, step


class SingleStepBareFlow(FlowSpec):
    """A one-step flow using a bare @step: it is implicitly start and end."""

    @step
    def compute(self):
        self.squares = [i * i for i in range(5)]


if __name__ == "__main__":
    SingleStepBareFlow()
