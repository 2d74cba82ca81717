"""Customers, identified by their E.164 phone number."""

from __future__ import annotations

from typing import Any

from storage.db import Pool
from storage.models import Customer


def _customer(row: dict[str, Any]) -> Customer:
    return Customer(id=row["id"], phone=row["phone"], name=row["name"], address=row["address"])


class CustomerRepository:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def get_by_phone(self, phone: str) -> Customer | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT id, phone, name, address FROM customers WHERE phone = %(phone)s",
                {"phone": phone},
            )
            row = await cursor.fetchone()
        return _customer(row) if row else None

    async def save(self, phone: str, name: str, address: str) -> Customer:
        """Create the customer or update their name and address."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                """
                INSERT INTO customers (phone, name, address)
                VALUES (%(phone)s, %(name)s, %(address)s)
                ON CONFLICT (phone) DO UPDATE
                    SET name = EXCLUDED.name, address = EXCLUDED.address, updated_at = now()
                RETURNING id, phone, name, address
                """,
                {"phone": phone, "name": name, "address": address},
            )
            row = await cursor.fetchone()
        assert row is not None
        return _customer(row)
