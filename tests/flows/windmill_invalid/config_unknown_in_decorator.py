# expect: a Config whose value is computed at run time (default_value from a function call) used in @retry (WM203)
import json

from metaflow import Config, FlowSpec, retry, step


class ConfigUnknownInDecoratorFlow(FlowSpec):
    cfg = Config("cfg", default_value=json.dumps({"retries": 1}))
    other = Config("other", default_value=json.loads('{"retries": 1}'))

    @retry(times=other.retries)
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ConfigUnknownInDecoratorFlow()
