from metaflow import FlowSpec, step


class SingleStepAnnotatedFlow(FlowSpec):
    """A one-step flow: the step is both start and end."""

    @step(start=True, end=True)
    def only(self):
        self.answer = 6 * 7
        assert self.answer == 42


if __name__ == "__main__":
    SingleStepAnnotatedFlow()
