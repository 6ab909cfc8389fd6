"""`WindmillEvent(name).publish(payload)` / `.safe_publish(payload)` inside a step, shaped
like Metaflow's `ArgoEvent`: starts the deployed flows whose @trigger listens to `name`,
with the job's own Windmill credentials ($BASE_INTERNAL_URL, $WM_WORKSPACE, $WM_TOKEN).
The dispatcher is `_mfwm/mfwm_events.py` (on the step's PYTHONPATH)."""

from mfwm_events import WindmillEvent, WindmillEventException  # noqa: F401
