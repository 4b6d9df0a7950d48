"""The access log writes the line gunicorn's own logger would, however few fields it builds."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from irctc.access_log import AccessLogger

SERVED_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'  # gunicorn.conf.py's


def line(logger_class, access_log_format: str, *, sent=5120, status="200 OK") -> str:
    config = Config()
    config.set("access_log_format", access_log_format)
    logger = logger_class(config)
    response = SimpleNamespace(status=status, sent=sent, headers=[("Content-Type", "application/json")])
    request = SimpleNamespace(headers=[("HOST", "127.0.0.1:8000"), ("USER-AGENT", 'curl "8"')])
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "GET",
        "RAW_URI": '/api/trains/search/?source=New+Delhi&destination=Kota&x="',
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/api/trains/search/",
        "QUERY_STRING": "source=New+Delhi&destination=Kota",
        "HTTP_USER_AGENT": 'curl "8"',
    }
    atoms = logger.atoms(response, request, environ, timedelta(seconds=1, microseconds=23456))
    return config.access_log_format % logger.atoms_wrapper_class(atoms)


@pytest.mark.parametrize("sent", [5120, None])
def test_the_served_format_gives_gunicorns_own_line(sent):
    ours = line(AccessLogger, SERVED_FORMAT, sent=sent)
    assert ours == line(glogging.Logger, SERVED_FORMAT, sent=sent)
    assert ours.endswith(" 1023ms")


def test_a_format_naming_other_fields_gets_gunicorns_logger_whole():
    other = '%(h)s %(p)s "%(a)s" %({host}i)s %({content-type}o)s %(L)s'
    assert line(AccessLogger, other) == line(glogging.Logger, other)
    assert '"curl \\"8\\""' in line(AccessLogger, other)
