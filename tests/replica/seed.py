"""Users with tokens and one train, made in the app's own database (run with the app's environment).

    python tests/replica/seed.py PASSENGERS   -> {"passengers": [token, ...], "operator": token, "train": id}

Users get no password: hashing one costs ~0.3 s, and the tests need tokens, not logins.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "irctc.settings")

import django  # noqa: E402

django.setup()

from accounts.services import issue_tokens  # noqa: E402
from tests.factories import make_train, make_user  # noqa: E402

ROUTE = ("Replica Nagar", "Primarypur")


def seed(passengers: int) -> dict:
    operator = make_user("operator", role="ADMIN", password=None)
    riders = [make_user(f"rider{index}", password=None) for index in range(passengers)]
    train = make_train(source=ROUTE[0], destination=ROUTE[1], total_seats=50)
    return {
        "passengers": [issue_tokens(rider)["access"] for rider in riders],
        "operator": issue_tokens(operator)["access"],
        "train": train.pk,
    }


if __name__ == "__main__":
    print(json.dumps(seed(int(sys.argv[1]))))
