from metaflow import FlowSpec, schedule, step


@schedule(cron="0 * * * *")
class ScheduleCronFlow(FlowSpec):
    @step
    def start(self):
        self.tick = 1
        self.next(self.end)

    @step
    def end(self):
        assert self.tick == 1


if __name__ == "__main__":
    ScheduleCronFlow()
