"""What a train change announces, so that the inventory can refuse it without trains importing it.

The schedule sits below the bookings (STYLE.md, "Which way the arrows point"): a train change
that could strand a sold seat asks the inventory through these signals, and `bookings` answers
by raising a `Conflict`. Both are sent inside the change's transaction, after the train row is
locked and before anything is written, so a receiver that raises leaves the train as it was.
"""

from django.dispatch import Signal

# kwargs: train (as it is stored, locked), stops and classes (the proposed route and classes, as
# lists of dicts in order), runs_on_mask (proposed), previous_stops and previous_classes (the
# stored ones, same shape).
schedule_changing = Signal()

# kwargs: train (locked, still active).
train_retiring = Signal()
