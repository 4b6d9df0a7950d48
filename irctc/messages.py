"""Django's message storage (a signed cookie, then the session), built when a message is first read
or added rather than for every request.

`MessageMiddleware` makes a storage for every request it sees, and Django's `FallbackStorage`
builds both of its backends at once: a cookie signer (its key derived from SECRET_KEY) and a
session storage. The API never shows a message, so every booking, refusal and search paid for them.
Built on first use, an untouched storage is only its flags, and the middleware's `update` leaves
it alone; the pages, which read and add messages, get the same two backends as before.
"""

from django.contrib.messages.storage.base import BaseStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.functional import cached_property


class FallbackStorageWhenUsed(FallbackStorage):
    def __init__(self, request, *args, **kwargs):
        BaseStorage.__init__(self, request, *args, **kwargs)
        self._used_storages = set()

    @cached_property
    def storages(self):
        return [storage_class(self.request) for storage_class in self.storage_classes]
