"""The benchmark's gunicorn settings: the repository's gunicorn.conf.py, and the lock probe
(bench/lock_probe.py) installed in every worker."""

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(_ROOT, "gunicorn.conf.py")) as _conf:
    exec(compile(_conf.read(), "gunicorn.conf.py", "exec"))  # noqa: S102 - the repository's own settings

_repository_post_worker_init = post_worker_init  # noqa: F821 - defined by the settings just run


def post_worker_init(worker):
    sys.path.insert(0, os.path.join(_ROOT, "bench"))
    import lock_probe

    lock_probe.install()
    _repository_post_worker_init(worker)
