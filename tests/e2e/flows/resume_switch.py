"""Resume: a failure in a switch branch (METAFLOW_TEST_RESUME_FAIL=high fails it)."""

import os
import uuid

from metaflow import FlowSpec, step


class ResumeSwitchFlow(FlowSpec):
    @step
    def start(self):
        self.nonce_start = uuid.uuid4().hex
        self.level = "high"
        self.next({"low": self.low, "high": self.high}, condition="level")

    @step
    def low(self):
        self.branch = "low"
        self.next(self.merge)

    @step
    def high(self):
        if os.environ.get("METAFLOW_TEST_RESUME_FAIL") == "high":
            raise RuntimeError("failing on purpose")
        self.branch = "high"
        self.next(self.merge)

    @step
    def merge(self):
        self.summary = "took " + self.branch
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ResumeSwitchFlow()
