"""tests/faults' ledger of client answers, with when each 201's request was sent and answered.

"The first 201 after a fault" must be the answer to a request sent after it: a booking committed
just before the writer was killed or paused may reach its client a moment later, and would make
a failover look instant.
"""

import time
from dataclasses import dataclass, field

from tests.faults.test_database_faults import Ledger


@dataclass
class TimedLedger(Ledger):
    answered_201s: list = field(default_factory=list)  # (sent, answered), monotonic seconds

    def note(self, status, body, headers, seconds):
        super().note(status, body, headers, seconds)
        if status == 201:
            answered = time.monotonic()
            with self.lock:
                self.answered_201s.append((answered - seconds, answered))

    def seconds_to_first_201_sent_after(self, moment: float, within: float) -> float | None:
        """From `moment` to the first 201 answering a request sent after it; None if none within."""
        while time.monotonic() - moment <= within:
            with self.lock:
                answers = [answered for sent, answered in self.answered_201s if sent >= moment]
            if answers:
                return min(answers) - moment
            time.sleep(0.02)
        return None
