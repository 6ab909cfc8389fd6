from metaflow import FlowSpec, project, schedule, step


@project(name="reports")
@schedule(hourly=True)
class ScheduleHourlyProjectFlow(FlowSpec):
    """Two flow decorators: @schedule is applied first (innermost), then @project."""

    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ScheduleHourlyProjectFlow()
