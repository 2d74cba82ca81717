"""Cart arithmetic: the reducer, quantities in the product's unit, and validation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agent.offline.model import product_quantity
from agent.offline.quantities import Quantity
from agent.state import CartLine, clearing, merge_cart, removal
from agent.tools.cart import cart_view, parse_quantity


def _line(code: str, quantity: str, price: str = "1.00") -> CartLine:
    return CartLine(item_code=code, name=code, quantity=quantity, unit="unit", unit_price=price)


def test_the_cart_reducer_replaces_appends_removes_and_clears() -> None:
    cart = merge_cart([], [_line("A", "1"), _line("B", "2")])
    assert [line["item_code"] for line in cart] == ["A", "B"]
    cart = merge_cart(cart, [_line("A", "5")])
    assert cart[0]["quantity"] == "5"
    assert [line["item_code"] for line in cart] == ["A", "B"]
    cart = merge_cart(cart, [removal(cart[0]), _line("C", "1")])
    assert [line["item_code"] for line in cart] == ["B", "C"]
    assert merge_cart(cart, [clearing()]) == []


def test_the_cart_view_totals_lines() -> None:
    view = cart_view([_line("A", "2", "2.40"), _line("B", "1.5", "3.00")], "USD")
    assert [line["line_total"] for line in view["lines"]] == ["4.80", "4.50"]
    assert view["total"] == "9.30"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [(2, "unit", Decimal(2)), (1.5, "kg", Decimal("1.5")), ("0.250", "kg", Decimal("0.25"))],
)
def test_valid_quantities(value: float | str, unit: str, expected: Decimal) -> None:
    assert parse_quantity(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "reason"),
    [
        (0, "unit", "greater than zero"),
        (-3, "kg", "greater than zero"),
        (1.5, "unit", "whole number"),
        (0.5, "pack", "whole number"),
        (1e9, "unit", "at most"),
        ("abc", "kg", "must be a number"),
        ("nan", "kg", "zero"),
    ],
)
def test_invalid_quantities_say_why(value: float | str, unit: str, reason: str) -> None:
    result = parse_quantity(value, unit)
    assert isinstance(result, str)
    assert reason in result


@pytest.mark.parametrize(
    ("asked", "product", "expected"),
    [
        (Quantity(Decimal(1), "dozen"), {"unit": "pack", "name": "Huevos (docena)"}, "1"),
        (Quantity(Decimal(1), "dozen"), {"unit": "unit", "name": "Egg"}, "12"),
        (Quantity(Decimal("0.5"), "dozen"), {"unit": "unit", "name": "Egg"}, "6.0"),
        (Quantity(Decimal(500), "g"), {"unit": "kg", "name": "Cheese"}, "0.5"),
        (Quantity(Decimal(2), "pack"), {"unit": "unit", "name": "Arroz 1kg"}, "2"),
        (None, {"unit": "unit", "name": "TV"}, "1"),
    ],
)
def test_asked_quantities_become_the_products_unit(
    asked: Quantity | None, product: dict[str, str], expected: str
) -> None:
    assert product_quantity(asked, product) == Decimal(expected)
