# expect: an IncludeFile default only known at run time (an environment variable) cannot be shipped or read (WM209)
import os

from metaflow import FlowSpec, IncludeFile, step


class IncludefileUnknownDefaultFlow(FlowSpec):
    data = IncludeFile("data", default=os.environ.get("DATA_FILE", "data.txt"))

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    IncludefileUnknownDefaultFlow()
