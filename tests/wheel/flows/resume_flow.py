"""Resume through the Deployer API: `process` fails while the file FAIL_PROCESS exists
next to the datastore root (the steps see METAFLOW_DATASTORE_SYSROOT_LOCAL)."""

import os
import uuid

from metaflow import FlowSpec, current, step


def marker():
    return os.path.join(os.environ["METAFLOW_DATASTORE_SYSROOT_LOCAL"], "..", "FAIL_PROCESS")


class ResumeWheelFlow(FlowSpec):
    @step
    def start(self):
        self.nonce = uuid.uuid4().hex
        self.items = [1, 2, 3]
        self.next(self.process, foreach="items")

    @step
    def process(self):
        if self.input == 2 and os.path.exists(marker()):
            raise RuntimeError("failing on purpose")
        self.result = self.input * 2
        self.next(self.join)

    @step
    def join(self, inputs):
        self.results = sorted(i.result for i in inputs)
        self.origin = current.origin_run_id
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ResumeWheelFlow()
