# check: check_valid_transitions (bare name argument)
from metaflow import FlowSpec, step


class TransitionBareNameFlow(FlowSpec):
    @step
    def start(self):
        self.next(end)  # noqa: F821

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TransitionBareNameFlow()
