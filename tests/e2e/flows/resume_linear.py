"""Resume: a failure in a linear step (METAFLOW_TEST_RESUME_FAIL=process fails it)."""

import os
import uuid

from metaflow import FlowSpec, Parameter, current, step


def should_fail(name):
    return os.environ.get("METAFLOW_TEST_RESUME_FAIL") == name


class ResumeLinearFlow(FlowSpec):
    greeting = Parameter("greeting", default="hello")

    @step
    def start(self):
        self.nonce_start = uuid.uuid4().hex
        self.value = len(self.greeting)
        self.next(self.double)

    @step
    def double(self):
        self.nonce_double = uuid.uuid4().hex
        self.value *= 2
        self.next(self.process)

    @step
    def process(self):
        if should_fail("process"):
            raise RuntimeError("failing on purpose")
        self.seen_origin = current.origin_run_id
        self.value += 1
        self.next(self.end)

    @step
    def end(self):
        self.final = "%s:%d" % (self.greeting, self.value)


if __name__ == "__main__":
    ResumeLinearFlow()
