# mf-windmill's Metaflow extension, shipped inside every compiled flow's code bundle and
# found through PYTHONPATH (no pip install). It only registers the internal step decorator
# that reports foreach cardinality and the chosen switch case to the Windmill runner, and
# the hidden `mfwm-resume` command that clones a resumed run's tasks (resume_cli.py).
STEP_DECORATORS_DESC = [
    ("windmill_internal", ".windmill_internal.WindmillInternalDecorator"),
]
CLIS_DESC = [("mfwm-resume", ".resume_cli.cli")]
