from metaflow import FlowSpec, schedule, step


@schedule(daily=True, timezone="Europe/Paris")
class ScheduleDailyTimezoneFlow(FlowSpec):
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    ScheduleDailyTimezoneFlow()
