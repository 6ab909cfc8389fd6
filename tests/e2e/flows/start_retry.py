from metaflow import FlowSpec, Parameter, current, retry, step


class StartRetryFlow(FlowSpec):
    """The start step fails once after `init` ran: the retry must not re-run `init`."""

    greeting = Parameter("greeting", default="hi")

    @retry(times=1, minutes_between_retries=0)
    @step
    def start(self):
        if current.retry_count == 0:
            raise RuntimeError("start fails once")
        self.seen = self.greeting
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    StartRetryFlow()
