from metaflow import FlowSpec, project, step


@project(name="demo")
class ProjectFlow(FlowSpec):
    """A flow belonging to the `demo` project."""

    @step
    def start(self):
        from metaflow import current

        self.project = current.project_name
        self.next(self.end)

    @step
    def end(self):
        assert self.project == "demo"


if __name__ == "__main__":
    ProjectFlow()
