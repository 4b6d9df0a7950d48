# The task queue's app is loaded with Django, so that `@shared_task`s send through it.
from irctc.celery import app as celery_app

__all__ = ("celery_app",)
