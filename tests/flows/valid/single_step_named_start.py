from metaflow import FlowSpec, step


class SingleStepNamedStartFlow(FlowSpec):
    """A one-step flow whose only step is called `start` (its type becomes `end`)."""

    @step
    def start(self):
        self.done = True


if __name__ == "__main__":
    SingleStepNamedStartFlow()
