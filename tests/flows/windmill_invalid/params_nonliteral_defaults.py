# expect: a deploy-time function default (region) cannot be known statically (WM209); the other non-literal defaults are evaluated
import os

from metaflow import FlowSpec, Parameter, step

BASE = 4
DEFAULT_NAME = "from-constant"


def default_region(ctx):
    return "region-" + ctx.user_name


class ParamsNonliteralDefaultsFlow(FlowSpec):
    """Parameter defaults that are not literals (expressions, names, a function)."""

    product = Parameter("product", default=3 * BASE)
    label = Parameter("label", default=DEFAULT_NAME)
    home = Parameter("home", default=os.path.join("a", "b"))
    region = Parameter("region", default=default_region, help="deploy-time default")
    negative = Parameter("negative", default=-1)
    tupled = Parameter("items", default=",".join(["x", "y"]), separator=",")

    @step
    def start(self):
        self.values = [self.product, self.label, self.home, self.region, self.negative]
        self.next(self.end)

    @step
    def end(self):
        assert self.values[0] == 12
        assert self.values[1] == "from-constant"
        assert self.values[3].startswith("region-")
        assert self.negative == -1
        assert list(self.tupled) == ["x", "y"]


if __name__ == "__main__":
    ParamsNonliteralDefaultsFlow()
