# check: check_annotation_name_conflict (start)
from metaflow import FlowSpec, step


class AnnotationConflictStartFlow(FlowSpec):
    @step(start=True)
    def begin(self):
        self.next(self.start)

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    AnnotationConflictStartFlow()
