from metaflow import FlowSpec, step


class SwitchThreeCasesFlow(FlowSpec):
    @step
    def start(self):
        self.score = 55
        self.next(self.classify)

    @step
    def classify(self):
        if self.score >= 80:
            self.grade = "high"
        elif self.score >= 50:
            self.grade = "mid"
        else:
            self.grade = "low"
        self.next(
            {"high": self.reward, "mid": self.review, "low": self.retrain},
            condition="grade",
        )

    @step
    def reward(self):
        self.action = "reward"
        self.next(self.report)

    @step
    def review(self):
        self.action = "review"
        self.next(self.report)

    @step
    def retrain(self):
        self.action = "retrain"
        self.next(self.report)

    @step
    def report(self):
        self.summary = "%s:%s" % (self.grade, self.action)
        self.next(self.end)

    @step
    def end(self):
        assert self.summary == "mid:review", self.summary


if __name__ == "__main__":
    SwitchThreeCasesFlow()
