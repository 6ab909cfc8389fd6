from metaflow import FlowSpec, JSONType, Parameter, step


class ParamsHostileFlow(FlowSpec):
    """Parameters of every type; the test passes hostile values and checks them byte-exact."""

    text = Parameter("text", default="plain")
    hyphen_name = Parameter("hyphen-name", default="h")
    count = Parameter("count", type=int, default=1)
    ratio = Parameter("ratio", type=float, default=0.5)
    flag = Parameter("flag", type=bool, default=False)
    blob = Parameter("blob", type=JSONType, default='{"a": 1}')
    listed = Parameter("listed", default="x,y", separator=",")
    optional = Parameter("optional", help="no default")

    @step
    def start(self):
        self.seen = {
            "text": self.text,
            "hyphen": self.hyphen_name,
            "count": self.count,
            "ratio": self.ratio,
            "flag": self.flag,
            "blob": self.blob,
            "listed": list(self.listed),
            "optional": self.optional,
        }
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ParamsHostileFlow()
