"""Task ids must be unique within a run: two branches storing current.task_id in the same
artifact make merge_artifacts raise (Metaflow's MergeArtifactsTest), and foreach tasks of
different steps must not share ids."""

from metaflow import FlowSpec, current, step
from metaflow.exception import UnhandledInMergeArtifactsException


class TaskIdsFlow(FlowSpec):
    @step
    def start(self):
        self.ids = [current.task_id]
        self.next(self.a, self.b)

    @step
    def a(self):
        self.tid = current.task_id
        self.next(self.join)

    @step
    def b(self):
        self.tid = current.task_id
        self.next(self.join)

    @step
    def join(self, inputs):
        try:
            self.merge_artifacts(inputs, exclude=["ids"])
            self.raised = False
        except UnhandledInMergeArtifactsException:
            self.raised = True
        self.ids = inputs.a.ids + [inputs.a.tid, inputs.b.tid, current.task_id]
        self.next(self.split)

    @step
    def split(self):
        self.ids = self.ids + [current.task_id]
        self.items = [1, 2, 3]
        self.next(self.fan, foreach="items")

    @step
    def fan(self):
        self.tid = current.task_id
        self.next(self.body)

    @step
    def body(self):
        self.tid2 = current.task_id
        self.next(self.gather)

    @step
    def gather(self, inputs):
        self.raised = inputs[0].raised
        self.ids = inputs[0].ids + [i.tid for i in inputs] + [i.tid2 for i in inputs] + [current.task_id]
        self.next(self.end)

    @step
    def end(self):
        assert self.raised
        assert len(self.ids) == len(set(self.ids)), self.ids


if __name__ == "__main__":
    TaskIdsFlow()
