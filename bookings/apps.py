from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self):
        # Train changes ask the inventory through signals, so that trains never imports bookings.
        from bookings import schedule_guards
        from trains.signals import schedule_changing, train_retiring

        schedule_changing.connect(schedule_guards.refuse_stranding_changes, dispatch_uid="bookings.schedule_guard")
        train_retiring.connect(schedule_guards.refuse_retiring_a_booked_train, dispatch_uid="bookings.retire_guard")
