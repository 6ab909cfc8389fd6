# `from metaflow.integrations import WindmillEvent`, as `ArgoEvent` (metaflow/integrations.py).
ALIASES_DESC = [("WindmillEvent", "..plugins.windmill_events.WindmillEvent")]
