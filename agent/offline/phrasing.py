"""How the offline model words its answers from tool results, in Spanish and English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent.language import Language

_UNIT_LABEL: dict[str, dict[Language, str]] = {
    "kg": {"en": "per kg", "es": "el kg"},
    "pack": {"en": "per pack", "es": "el paquete"},
    "dozen": {"en": "per dozen", "es": "la docena"},
    "l": {"en": "per liter", "es": "el litro"},
}


def money(amount: str, currency: str) -> str:
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"


def price_text(product: dict[str, Any], lang: Language) -> str:
    label = _UNIT_LABEL.get(product.get("unit", "unit"), {}).get(lang)
    price = money(product["price"], product.get("currency", "USD"))
    return f"{price} {label}" if label else price


def availability_text(product: dict[str, Any], lang: Language) -> str:
    if not product.get("in_stock"):
        return "agotado" if lang == "es" else "out of stock"
    amount = product["available"]
    unit = product.get("unit", "unit")
    if unit == "kg":
        return f"{amount} kg disponibles" if lang == "es" else f"{amount} kg available"
    return f"{amount} disponibles" if lang == "es" else f"{amount} available"


def product_line(product: dict[str, Any], lang: Language) -> str:
    brand = product.get("brand")
    name = product["name"]
    shown = f"{name} ({brand})" if brand and brand.lower() not in name.lower() else name
    return f"{shown} — {price_text(product, lang)}, {availability_text(product, lang)}"


def search_answer(content: dict[str, Any], lang: Language) -> str:
    results: Sequence[dict[str, Any]] = content.get("results") or []
    unavailable: Sequence[dict[str, Any]] = content.get("unavailable") or []
    query = content.get("query", "")
    if results:
        head = "Esto es lo que encontré:" if lang == "es" else "Here's what I found:"
        lines = [f"{i}. {product_line(p, lang)}" for i, p in enumerate(results, 1)]
        tail = (
            "¿Quieres agregar alguno al carrito?"
            if lang == "es"
            else "Would you like to add any of these to your cart?"
        )
        return "\n".join([head, *lines, tail])
    if unavailable:
        names = ", ".join(p["name"] for p in unavailable)
        if lang == "es":
            return (
                f"Lo siento, {names}: agotado en este momento, no está disponible. "
                "¿Te puedo ayudar con otra cosa?"
            )
        return (
            f"Sorry, {names}: out of stock right now, so it's not available. "
            "Can I help you with something else?"
        )
    if lang == "es":
        return f"No encontré productos para «{query}». ¿Puedes describirlo de otra forma?"
    return f'I couldn\'t find anything for "{query}". Could you describe it another way?'


def details_answer(product: dict[str, Any], lang: Language) -> str:
    if "error" in product:
        return "No encontré ese producto." if lang == "es" else "I couldn't find that product."
    lines = [product_line(product, lang)]
    description = (product.get("description") or "").strip()
    if description:
        lines.append(description)
    branches = [s for s in product.get("availability", [])]
    if branches:
        where = ", ".join(f"{b['branch'] or b['city']} ({b['available']})" for b in branches)
        lines.append(f"Disponible en: {where}." if lang == "es" else f"Available at: {where}.")
    return "\n".join(lines)


def small_talk(kind: str, lang: Language) -> str:
    texts: dict[str, dict[Language, str]] = {
        "greeting": {
            "en": "Hello! What are you looking for today?",
            "es": "¡Hola! ¿Qué estás buscando hoy?",
        },
        "thanks": {
            "en": "You're welcome! Anything else I can help with?",
            "es": "¡Con gusto! ¿Te ayudo con algo más?",
        },
        "unknown": {
            "en": "I can search products, tell you prices and availability, and take your "
            "order. What are you looking for?",
            "es": "Puedo buscar productos, darte precios y disponibilidad, y tomar tu pedido. "
            "¿Qué estás buscando?",
        },
    }
    return texts.get(kind, texts["unknown"])[lang]
