"""Logs of every attempt: both streams, unicode, a line without a newline, a retried step,
many lines (order), and a step that prints nothing."""

import sys

from metaflow import FlowSpec, current, retry, step


class LogsAttemptsFlow(FlowSpec):
    @step
    def start(self):
        print("stdout: A regular message.")
        print("stdout: A message with unicode: 年")
        sys.stderr.write("stderr: A regular message.\n")
        sys.stderr.write("stderr: A message with unicode: 年\n")
        sys.stdout.write("no newline at the end")
        self.next(self.flaky)

    @retry(times=1, minutes_between_retries=0)
    @step
    def flaky(self):
        print("attempt %d" % current.retry_count)
        sys.stderr.write("err attempt %d\n" % current.retry_count)
        if current.retry_count == 0:
            raise RuntimeError("first attempt fails")
        self.next(self.many)

    @step
    def many(self):
        for i in range(3000):
            print("out %d" % i)
            sys.stderr.write("err %d\n" % i)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    LogsAttemptsFlow()
