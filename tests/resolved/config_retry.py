"""A flow only Metaflow can fully evaluate: a deploy-time Parameter default (a function),
next to a Config used in a decorator. Statically, the function default is refused (WM209;
@retry(times=cfg.retries) is evaluated from the Config's default_value); with
--metaflow-resolved both compile to what Metaflow sees."""

from metaflow import Config, FlowSpec, Parameter, current, retry, step


def default_region(ctx):
    return "region-" + ctx.user_name


class ConfigRetryFlow(FlowSpec):
    cfg = Config("cfg", default_value={"retries": 2, "greeting": "hello", "fail_until": 1})
    region = Parameter("region", default=default_region, help="deploy-time default")
    who = Parameter("who", default="world", help="who to greet")

    @retry(times=cfg.retries, minutes_between_retries=0)
    @step
    def start(self):
        self.attempt = current.retry_count
        if current.retry_count < self.cfg.fail_until:
            raise RuntimeError("fails on attempt %d" % current.retry_count)
        self.message = "%s %s" % (self.cfg.greeting, self.who)
        self.next(self.end)

    @step
    def end(self):
        self.seen = {"message": self.message, "region": self.region, "attempt": self.attempt}


if __name__ == "__main__":
    ConfigRetryFlow()
