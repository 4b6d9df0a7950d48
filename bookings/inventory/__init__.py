"""The inventory: runs, the seats of each class per segment, holds, waitlists.

The one place that takes run locks (`locking`), reads what is free (`availability`), chooses
seats (`seat_choice`, pure), writes and frees allocations (`allocation`) and serves the waitlists
(`queues`). Every hand-written SQL statement of both vendors (MariaDB and SQLite) lives side by
side in `statements`. `bookings.services` composes these into the public operations.
"""
