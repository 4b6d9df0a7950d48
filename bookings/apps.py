from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from irctc import process_memory


def forget_changed_train(sender, instance, **kwargs):
    """A train saved or deleted in this process is not booked from as it was kept
    (`bookings.selectors.train_for_booking`)."""
    process_memory.kept_trains.pop(instance.pk)


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        # Train changes ask the inventory through signals, so that trains never imports bookings.
        from bookings import schedule_guards
        from trains.models import Train
        from trains.signals import schedule_changing, train_retiring

        schedule_changing.connect(schedule_guards.refuse_stranding_changes, dispatch_uid="bookings.schedule_guard")
        train_retiring.connect(schedule_guards.refuse_retiring_a_booked_train, dispatch_uid="bookings.retire_guard")
        post_save.connect(forget_changed_train, sender=Train, dispatch_uid="bookings.forget_saved_train")
        post_delete.connect(forget_changed_train, sender=Train, dispatch_uid="bookings.forget_deleted_train")
