"""Resume: a failure in one foreach split (METAFLOW_TEST_RESUME_FAIL=body fails item 2)."""

import os
import uuid

from metaflow import FlowSpec, step


class ResumeForeachFlow(FlowSpec):
    @step
    def start(self):
        self.items = [1, 2, 3]
        self.next(self.body, foreach="items")

    @step
    def body(self):
        if os.environ.get("METAFLOW_TEST_RESUME_FAIL") == "body" and self.input == 2:
            raise RuntimeError("failing on purpose")
        self.nonce = uuid.uuid4().hex
        self.result = self.input * 10
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = [i.result for i in inputs]
        self.next(self.end)

    @step
    def end(self):
        self.total = sum(self.results)


if __name__ == "__main__":
    ResumeForeachFlow()
