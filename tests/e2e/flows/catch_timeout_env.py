import os
import time

from metaflow import FlowSpec, catch, current, environment, retry, step, timeout


class CatchTimeoutEnvFlow(FlowSpec):
    """@catch after exhausted retries, @timeout firing then retried, @environment."""

    @step
    def start(self):
        self.next(self.always_fails)

    @catch(var="err")
    @retry(times=1, minutes_between_retries=0)
    @step
    def always_fails(self):
        self.tried = current.retry_count
        raise ValueError("always fails")
        self.next(self.slow)

    @retry(times=1, minutes_between_retries=0)
    @timeout(seconds=2)
    @step
    def slow(self):
        if current.retry_count == 0:
            time.sleep(30)
        self.slow_attempt = current.retry_count
        self.next(self.env)

    @environment(vars={"MFWM_PLAIN": "plain", "MFWM_HOSTILE": "$(touch /tmp/mfwm_pwned_env) `x` 'q' \"d\" é"})
    @step
    def env(self):
        self.plain = os.environ.get("MFWM_PLAIN")
        self.hostile = os.environ.get("MFWM_HOSTILE")
        self.next(self.end)

    @step
    def end(self):
        assert self.slow_attempt == 1
        assert self.plain == "plain"


if __name__ == "__main__":
    CatchTimeoutEnvFlow()
