"""Module docstring: a longer linear flow with docstrings everywhere."""
from metaflow import FlowSpec, step


class LinearLongFlow(FlowSpec):
    """
    A six step linear flow.

    Each step transforms a small string.
    """

    @step
    def start(self):
        """Seed the text."""
        self.text = "metaflow"
        self.next(self.upper)

    @step
    def upper(self):
        """Upper-case it."""
        self.text = self.text.upper()
        self.next(self.reverse)

    @step
    def reverse(self):
        """
        Reverse it.
        Multi-line docstring.
        """
        self.text = self.text[::-1]
        self.next(self.count)

    @step
    def count(self):
        '''Single-quoted docstring.'''
        self.length = len(self.text)
        self.next(self.decorate)

    @step
    def decorate(self):
        self.banner = "*%s*" % self.text
        self.next(self.end)

    @step
    def end(self):
        """The end."""
        assert self.banner == "*WOLFATEM*"
        assert self.length == 8


if __name__ == "__main__":
    LinearLongFlow()
