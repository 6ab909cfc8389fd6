# check: check_annotation_name_conflict (end)
from metaflow import FlowSpec, step


class AnnotationConflictEndFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        self.next(self.finish)

    @step(end=True)
    def finish(self):
        pass


if __name__ == "__main__":
    AnnotationConflictEndFlow()
