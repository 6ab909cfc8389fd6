# import-time error: the same step decorator twice (DuplicateStepDecoratorException)
from metaflow import FlowSpec, retry, step


class ImportDuplicateDecoratorFlow(FlowSpec):
    @retry(times=1)
    @retry(times=2)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ImportDuplicateDecoratorFlow()
