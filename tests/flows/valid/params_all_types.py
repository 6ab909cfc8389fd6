from metaflow import FlowSpec, JSONType, Parameter, step


class ParamsAllTypesFlow(FlowSpec):
    """Parameters of every basic type, with help texts and odd defaults."""

    name_str = Parameter("name_str", default="alice", help="a string")
    count = Parameter("count", type=int, default=3, help="an int")
    ratio = Parameter("ratio", type=float, default=0.5)
    inferred_int = Parameter("inferred_int", default=10)
    inferred_float = Parameter("inferred_float", default=2.5)
    flag = Parameter("flag", type=bool, default=False, help="a boolean flag")
    inferred_bool = Parameter("inferred_bool", default=True)
    config_json = Parameter(
        "config_json", type=JSONType, default='{"layers": [1, 2], "name": "net"}'
    )
    tag_list = Parameter("tag-list", default="a,b,c", separator=",", help="comma separated")
    learning_rate = Parameter("learning-rate", type=float, default=0.01)
    quoted = Parameter("quoted", default='he said "hi" and \'bye\'')
    unicode_default = Parameter("unicode_default", default="héllo wörld ✓")
    no_default = Parameter("no_default", help="no default at all")
    multi_line_help = Parameter(
        "multi_line_help",
        default="x",
        help="a help text "
        "split over two string literals",
    )

    @step
    def start(self):
        self.summary = {
            "name_str": self.name_str,
            "count": self.count,
            "ratio": self.ratio,
            "flag": self.flag,
            "layers": self.config_json["layers"],
            "tags": list(self.tag_list),
            "lr": self.learning_rate,
            "quoted": self.quoted,
            "unicode": self.unicode_default,
            "no_default": self.no_default,
        }
        self.next(self.end)

    @step
    def end(self):
        s = self.summary
        assert s["count"] == 3 and s["ratio"] == 0.5 and s["flag"] is False
        assert s["layers"] == [1, 2]
        assert s["tags"] == ["a", "b", "c"], s["tags"]
        assert s["lr"] == 0.01
        assert s["unicode"] == "héllo wörld ✓"
        assert s["no_default"] is None
        assert self.inferred_int == 10 and self.inferred_bool is True


if __name__ == "__main__":
    ParamsAllTypesFlow()
