"""Reusable steps for MixinModuleFlow: a plain (non-FlowSpec) mixin class."""
from metaflow import step


def normalize(values):
    total = float(sum(values))
    return [v / total for v in values]


class PreprocessMixin:
    """Holds a two-step preprocessing segment; expects `self.raw`."""

    @step
    def clean(self):
        self.cleaned = [v for v in self.raw if v is not None]
        self.next(self.scale)

    @step
    def scale(self):
        self.scaled = normalize(self.cleaned)
        self.next(self.train)
