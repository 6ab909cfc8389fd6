# Config(default="config.json"), a JSON file next to the flow (Metaflow's default parser), in decorators
import os

from metaflow import Config, FlowSpec, environment, retry, step, timeout


class ConfigFileDecoratorsFlow(FlowSpec):
    cfg = Config("cfg", default="config.json")

    @environment(vars=cfg.env)
    @retry(times=cfg.retries, minutes_between_retries=0)
    @timeout(seconds=cfg.timeout)
    @step
    def start(self):
        self.stage = os.environ.get("STAGE")
        self.rows = list(self.cfg.rows)
        self.next(self.each, foreach="rows")

    @step
    def each(self):
        self.row = self.input.upper()
        self.next(self.join)

    @step
    def join(self, inputs):
        self.rows = sorted(i.row for i in inputs)
        self.next(self.end)

    @step
    def end(self):
        assert self.rows == ["A", "B", "C"], self.rows


if __name__ == "__main__":
    ConfigFileDecoratorsFlow()
