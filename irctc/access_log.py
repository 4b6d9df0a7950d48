"""gunicorn's access log, building only the fields its format names (gunicorn.conf.py).

For every request gunicorn's logger builds all its fields, then one more for each request header,
response header and WSGI environ variable, and escapes each of them, whatever the format uses. This logger builds the ones `access_log_format` names, the same
way, so the line is the one gunicorn writes; a format that names any other field gets gunicorn's
own.
"""

import re

from gunicorn import glogging

_FIELD = re.compile(r"%\(([^)]*)\)")


def _status(resp, environ, request_time):
    status = resp.status
    return status.split(None, 1)[0] if isinstance(status, str) else status


_BUILDERS = {
    "h": lambda resp, environ, request_time: environ.get("REMOTE_ADDR", "-"),
    "r": lambda resp, environ, request_time: (
        f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}"
    ),
    "s": _status,
    "b": lambda resp, environ, request_time: getattr(resp, "sent", None) is not None and str(resp.sent) or "-",
    "M": lambda resp, environ, request_time: request_time.seconds * 1000 + int(request_time.microseconds / 1000),
}


class AccessLogger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        fields = set(_FIELD.findall(cfg.access_log_format or ""))
        self._builders = {field: _BUILDERS[field] for field in fields} if fields <= _BUILDERS.keys() else None

    def atoms(self, resp, req, environ, request_time):
        if self._builders is None:
            return super().atoms(resp, req, environ, request_time)
        return {field: build(resp, environ, request_time) for field, build in self._builders.items()}
