"""The `inr` filter: amounts grouped as India writes them."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from web.templatetags.money import inr


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1,000"),
        (24114, "24,114"),
        (123456, "1,23,456"),
        (12345678, "1,23,45,678"),
        (Decimal("24114.00"), "24,114"),
        (Decimal("1234.5"), "1,234.50"),
        (-123456, "-1,23,456"),
        ("2410", "2,410"),
    ],
)
def test_amounts_are_grouped_in_lakhs_and_crores(amount, shown):
    assert inr(amount) == shown


def test_nothing_and_text_are_shown_as_they_are():
    assert inr(None) == ""
    assert inr("n/a") == "n/a"


def test_templates_load_it():
    assert Template("{% load money %}₹{{ fare|inr }}").render(Context({"fare": 123456})) == "₹1,23,456"
