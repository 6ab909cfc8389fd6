"""Metaflow features that static reading cannot see: a Config value in a decorator and a
deploy-time Parameter default. Deployed through the extension, the compiled flow must do
what Metaflow itself would."""

from metaflow import Config, FlowSpec, Parameter, current, retry, step, timeout


def default_count(ctx):
    # Evaluated by Metaflow at deploy time (Argo does the same); ctx.user_name is the deployer.
    return len(ctx.user_name) + 40


class ResolvedFlow(FlowSpec):
    cfg = Config("cfg", default="cfg.json")
    count = Parameter("count", default=default_count, type=int, help="deploy-time default")
    who = Parameter("who", default="world")

    @step
    def start(self):
        self.greeting = self.cfg.greeting
        self.next(self.flaky)

    @retry(times=cfg.retries, minutes_between_retries=0)
    @timeout(seconds=cfg.timeout)
    @step
    def flaky(self):
        self.attempt = current.retry_count
        if current.retry_count < 2:
            raise RuntimeError("fails on attempt %d on purpose" % current.retry_count)
        self.next(self.end)

    @step
    def end(self):
        self.message = "%s, %s! (%d)" % (self.greeting, self.who, self.count)
        print(self.message)


if __name__ == "__main__":
    ResolvedFlow()
