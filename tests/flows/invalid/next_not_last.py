# check: check_static_transitions (self.next is not the last statement)
from metaflow import FlowSpec, step


class NextNotLastFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)
        print("after next")

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NextNotLastFlow()
