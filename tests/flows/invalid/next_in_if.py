# check: check_static_transitions (self.next only inside an if/else block)
from metaflow import FlowSpec, step


class NextInIfFlow(FlowSpec):
    @step
    def start(self):
        self.x = 1
        if self.x:
            self.next(self.a)
        else:
            self.next(self.end)

    @step
    def a(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    NextInIfFlow()
