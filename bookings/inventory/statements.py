"""Every hand-written SQL statement of the inventory, MariaDB's and SQLite's side by side.

The ORM writes the rest. These are the statements that run under a run's lock or on every
search, where a round trip or a compile of the ORM's query is worth saving; each function says
why it is hand-written.
"""

# --- Locking, availability and allocation (bookings.inventory) ---------------------------------


# --- Search (bookings.selectors) ---------------------------------------------------------------
