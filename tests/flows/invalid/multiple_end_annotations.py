# check: check_basic_steps (two @step(end=True))
from metaflow import FlowSpec, step


class MultipleEndAnnotationsFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.done_a, self.done_b)

    @step(end=True)
    def done_a(self):
        pass

    @step(end=True)
    def done_b(self):
        pass


if __name__ == "__main__":
    MultipleEndAnnotationsFlow()
