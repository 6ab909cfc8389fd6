# import-time error: a step decorator placed above @step (BadStepDecoratorException)
from metaflow import FlowSpec, retry, step


class ImportDecoratorOrderFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    @retry
    def end(self):
        pass


if __name__ == "__main__":
    ImportDecoratorOrderFlow()
