# check: check_valid_transitions (self.next() with no argument)
from metaflow import FlowSpec, step


class TransitionEmptyFlow(FlowSpec):
    @step
    def start(self):
        self.next()

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TransitionEmptyFlow()
