# import-time error: unknown decorator attribute (InvalidDecoratorAttribute)
from metaflow import FlowSpec, retry, step


class ImportUnknownDecoratorAttributeFlow(FlowSpec):
    @retry(tries=2)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ImportUnknownDecoratorAttributeFlow()
