from metaflow import FlowSpec, current, retry, step


class RetryOnceFlow(FlowSpec):
    """A step that fails on attempt 0 and succeeds on attempt 1."""

    @step
    def start(self):
        self.next(self.flaky)

    @retry(times=2, minutes_between_retries=0)
    @step
    def flaky(self):
        if current.retry_count == 0:
            raise RuntimeError("first attempt fails on purpose")
        self.seen_retry_count = current.retry_count
        self.next(self.end)

    @step
    def end(self):
        assert self.seen_retry_count == 1, self.seen_retry_count


if __name__ == "__main__":
    RetryOnceFlow()
