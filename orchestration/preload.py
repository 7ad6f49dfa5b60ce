"""Imported once by the multiprocess executor's fork server (orchestration/jobs.py): the code and the
asset graph are loaded there, so each step process forked from it starts without loading them again.
Nothing else imports this module: importing the package itself still builds nothing."""

from .definitions import build_definitions
from .extract import pipeline  # noqa: F401  (the extraction code, loaded before the fork)

try:
    build_definitions()
except Exception:  # noqa: BLE001 - a step process reports the real error when it builds them itself
    pass
