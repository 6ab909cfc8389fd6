# Config default_value values used in decorators and a Parameter default (cfg.key and config_expr)
import os

from metaflow import Config, FlowSpec, Parameter, config_expr, environment, retry, step

FAIL_ATTEMPTS = 1


class ConfigInDecoratorsFlow(FlowSpec):
    cfg = Config(
        "cfg",
        default_value={"retries": 2, "env_value": "from-config", "threshold": 0.5,
                       "nested": {"name": "inner"}},
    )
    threshold = Parameter("threshold", default=config_expr("cfg.threshold"))
    who = Parameter("who", default=cfg.nested.name)

    @environment(vars={"X": config_expr("cfg.env_value"), "Y": cfg.nested.name})
    @retry(times=cfg.retries, minutes_between_retries=0)
    @step
    def start(self):
        from metaflow import current

        self.attempt = current.retry_count
        if current.retry_count < FAIL_ATTEMPTS:
            raise RuntimeError("fails on attempt %d" % current.retry_count)
        self.x = os.environ.get("X")
        self.y = os.environ.get("Y")
        self.values = [self.threshold, self.who, self.cfg.retries]
        self.next(self.end)

    @step
    def end(self):
        assert self.x == "from-config", self.x
        assert self.values == [0.5, "inner", 2], self.values


if __name__ == "__main__":
    ConfigInDecoratorsFlow()
