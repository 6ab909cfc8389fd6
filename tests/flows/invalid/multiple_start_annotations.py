# check: check_basic_steps (two @step(start=True))
from metaflow import FlowSpec, step


class MultipleStartAnnotationsFlow(FlowSpec):
    @step(start=True)
    def first(self):
        self.next(self.end)

    @step(start=True)
    def second(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    MultipleStartAnnotationsFlow()
