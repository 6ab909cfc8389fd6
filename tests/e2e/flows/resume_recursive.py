"""Resume: a failure inside a recursive switch loop (METAFLOW_TEST_RESUME_FAIL=loop fails
iteration 2 of 4)."""

import os
import uuid

from metaflow import FlowSpec, step


class ResumeRecursiveFlow(FlowSpec):
    @step
    def start(self):
        self.count = 0
        self.trail = []
        self.next(self.loop)

    @step
    def loop(self):
        if os.environ.get("METAFLOW_TEST_RESUME_FAIL") == "loop" and self.count == 2:
            raise RuntimeError("failing on purpose")
        self.nonce = uuid.uuid4().hex
        self.trail = self.trail + [self.count]
        self.count += 1
        self.state = "again" if self.count < 4 else "done"
        self.next({"again": self.loop, "done": self.finish}, condition="state")

    @step
    def finish(self):
        self.result = sum(self.trail)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ResumeRecursiveFlow()
