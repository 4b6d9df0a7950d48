"""The task queue: one Celery app, configured from Django's settings (the `CELERY_` keys).

A worker runs the deferred and scheduled work, and beat (`-B`, or a process of its own) sends the
scheduled tasks: `celery -A irctc worker -B`. Each task (`<app>/tasks.py`, found by
`autodiscover_tasks`) calls a service and holds no rule of its own.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irctc.settings")

app = Celery("irctc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def make_broker_folders(sender, **kwargs):
    """kombu's file-system transport expects its folders to exist; nobody else makes them."""
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = (sender.conf.broker_transport_options or {}).get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
