# check: check_static_transitions (no self.next at all)
from metaflow import FlowSpec, step


class MissingNextFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.middle)

    @step
    def middle(self):
        self.x = 1

    @step
    def end(self):
        pass


if __name__ == "__main__":
    MissingNextFlow()
