# Module constants and simple expressions of them, evaluated statically as Python does
import os

from metaflow import FlowSpec, JSONType, Parameter, environment, retry, step, timeout

PREFIX = "run"
VERSION = 3
RETRIES = 3
MINUTES = 2
SEP = ","
SIZES = (1, 2, 3)
SETTINGS = {"mode": "fast", "levels": [1, 2]}


class ConstantsExpressionsFlow(FlowSpec):
    label = Parameter("label", default=f"{PREFIX}-v{VERSION}")
    joined = Parameter("joined", default=PREFIX + "_" + str(VERSION))
    path = Parameter("path", default=os.path.join("data", PREFIX, "in.csv"))
    product = Parameter("product", default=VERSION * 7 - 1)
    ratio = Parameter("ratio", default=VERSION / 4)
    items = Parameter("items", default=SEP.join(["a", "b"]), separator=SEP)
    settings = Parameter("settings", type=JSONType, default='{"k": 1}')
    upper = Parameter("upper", default=PREFIX.upper())

    @environment(vars={"MODE": SETTINGS["mode"], "TAG": PREFIX + "-env"})
    @retry(times=RETRIES - 1, minutes_between_retries=0)
    @timeout(minutes=2 * MINUTES)
    @step
    def start(self):
        self.seen = {
            "label": self.label,
            "joined": self.joined,
            "path": self.path,
            "product": self.product,
            "ratio": self.ratio,
            "items": list(self.items),
            "settings": self.settings,
            "upper": self.upper,
            "mode": os.environ.get("MODE"),
            "tag": os.environ.get("TAG"),
            "sizes": list(SIZES),
        }
        self.next(self.end)

    @step
    def end(self):
        assert self.seen["label"] == "run-v3", self.seen
        assert self.seen["product"] == 20, self.seen


if __name__ == "__main__":
    ConstantsExpressionsFlow()
