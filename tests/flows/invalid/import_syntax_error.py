# import-time error: a step name starting with a digit is a Python SyntaxError
from metaflow import FlowSpec, step


class ImportSyntaxErrorFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def 1end(self):
        pass


if __name__ == "__main__":
    ImportSyntaxErrorFlow()
