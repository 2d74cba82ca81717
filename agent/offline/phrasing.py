"""How the offline model words its answers from tool results, in Spanish and English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent.language import Language
from storage.text import fold, naming_terms

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
    amount = product.get("price") or product.get("unit_price", "0")  # (a cart line's)
    price = money(amount, product.get("currency", "USD"))
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
    if "in_stock" not in product:  # a cart line: its stock was not looked up
        return f"{shown} — {price_text(product, lang)}"
    return f"{shown} — {price_text(product, lang)}, {availability_text(product, lang)}"


def search_answer(
    content: dict[str, Any], lang: Language, *, choose: bool = False, naming: bool = False
) -> str:
    """The products found; with `choose`, the customer asked to add something that names
    several of them, and is asked which (`naming` what was asked for, when one message
    asked for several such things)."""
    results: Sequence[dict[str, Any]] = content.get("results") or []
    unavailable: Sequence[dict[str, Any]] = content.get("unavailable") or []
    query = content.get("query", "")
    elsewhere: Sequence[dict[str, Any]] = content.get("elsewhere") or []
    if elsewhere and content.get("city"):  # "the LG 55 in Valencia": not there; where it is
        return _availability_in(elsewhere[0], content["city"], lang)  # the best match
    if results:
        head = {
            "price_low": {
                "es": "Esto es lo que encontré, del precio más bajo al más alto:",
                "en": "Here's what I found, lowest price first:",
            },
            "price_high": {
                "es": "Esto es lo que encontré, del precio más alto al más bajo:",
                "en": "Here's what I found, highest price first:",
            },
        }.get(
            content.get("sort", ""),
            {"es": "Esto es lo que encontré:", "en": "Here's what I found:"},
        )[lang]
        city = content.get("city")
        if city and not content.get("sort"):
            # "¿tienen arroz en Valencia?": what is available there, and how much
            head = f"En {city}:" if lang == "es" else f"In {city}:"
        question = _search_question(query, lang, choose, naming)
        lacked = content.get("not_found_words") or []
        if _only_similar(query, results):  # "margarina": no product says it
            head = (
                f"Lo más parecido que tengo para «{query}»:"
                if lang == "es"
                else f'The closest I have for "{query}":'
            )
        elif lacked and not content.get("sort"):
            # "laptops for gaming": laptops, none of them said to be for gaming
            words = ", ".join(f"«{w}»" if lang == "es" else f'"{w}"' for w in lacked)
            head = (
                f"Nada de lo que tengo menciona {words}. Lo más parecido:"
                if lang == "es"
                else f"Nothing I have mentions {words}. The closest:"
            )
        if choose and all(p.get("missing") for p in results):  # offered, not added
            if len(results) == 1:
                question = "¿Te sirve?" if lang == "es" else "Would that do?"
            else:
                question = "¿Te sirve alguno?" if lang == "es" else "Would any of these do?"
        lines = _numbered(results, lang)
        sold_out = [p["name"] for p in unavailable if not p.get("missing")]
        if sold_out:  # "un cargador": the charger is sold out, the power bank is not it
            names = ", ".join(sold_out)
            note = (
                f"{names}: agotado en este momento."
                if lang == "es"
                else f"{names}: out of stock right now."
            )
            return "\n".join([note, head, *lines, question])
        return "\n".join([head, *lines, question])
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


def none_such(kind: str, wanted: str, products: Sequence[dict[str, Any]], lang: Language) -> str:
    """None of the products of a kind has what the customer narrowed it to ("the sony
    ones", among the headphones): say so, and show that kind."""
    if lang == "es":
        head = f"Ninguno de los «{kind}» que tengo es «{wanted}». Estos son los que tengo:"
    else:
        head = f'Nothing matches "{wanted}" among the {kind} I have. These are all of them:'
    return _listing(head, products, lang)


def prices(products: Sequence[dict[str, Any]], lang: Language) -> str:
    """The products just shown, again, for a customer asking what they cost."""
    head = "Estos son sus precios:" if lang == "es" else "Here are their prices:"
    return _listing(head, products, lang)


def _listing(head: str, products: Sequence[dict[str, Any]], lang: Language) -> str:
    """Products listed under a head, ending with whether to add any."""
    question = _search_question("", lang, choose=False, naming=False)
    return "\n".join([head, *_numbered(products, lang), question])


def _numbered(products: Sequence[dict[str, Any]], lang: Language) -> list[str]:
    """ "1. Leche entera 1L — $1.35, 140 available": numbered as "the second one" counts."""
    return [f"{n}. {product_line(p, lang)}" for n, p in enumerate(products, start=1)]


def _only_similar(query: str, results: Sequence[dict[str, Any]]) -> bool:
    """Every product found lacks every word asked for ("margarina", "charcoal"): the
    nearest things, not the thing. ("Aceite de coco" finds oils; "a tv for my living
    room", TVs.)"""
    asked = set(naming_terms(query))
    return bool(asked) and all(asked <= set(p.get("missing", [])) for p in results)


ADD_QUESTIONS = {
    "es": "¿Quieres agregar alguno al carrito?",
    "en": "Would you like to add any of these to your cart?",
}
"""What a list of products found ends with when nothing was being chosen."""


def _search_question(query: str, lang: Language, choose: bool, naming: bool) -> str:
    """What a list of products found ends with: which one, or whether to add any."""
    if not choose:
        return ADD_QUESTIONS[lang]
    if lang == "es":
        return f"¿Cuál prefieres de «{query}»?" if naming else "¿Cuál prefieres?"
    return f'Which one would you like for "{query}"?' if naming else "Which one would you like?"


def details_answer(product: dict[str, Any], lang: Language, *, place: str | None = None) -> str:
    """The product's line, description and branches; asked about a `place`, the answer
    to that comes first."""
    if "error" in product:
        return "No encontré ese producto." if lang == "es" else "I couldn't find that product."
    if place:
        return _availability_in(product, place, lang)
    lines = [product_line(product, lang)]
    description = (product.get("description") or "").strip()
    if description:
        lines.append(description)
    branches = [s for s in product.get("availability", [])]
    if branches:
        where = _where(branches)
        lines.append(f"Disponible en: {where}." if lang == "es" else f"Available at: {where}.")
    return "\n".join(lines)


def _where(branches: Sequence[dict[str, Any]]) -> str:
    """ "Centro (8), Valencia (40)"."""
    return ", ".join(f"{b['branch'] or b['city']} ({b['available']})" for b in branches)


def _availability_in(product: dict[str, Any], place: str, lang: Language) -> str:
    wanted = fold(place)
    branches = product.get("availability", [])
    here = [
        b
        for b in branches
        if any(fold(b.get(key) or "").startswith(wanted) for key in ("branch", "city"))
    ]
    name = product["name"]
    if here:
        where = _where(here)
        if lang == "es":
            return f"Sí, hay {name} disponible en {where}."
        return f"Yes, {name} is available at {where}."
    elsewhere = _where(branches)
    if lang == "es":
        tail = f" Sí lo hay en: {elsewhere}." if elsewhere else " Ahora mismo está agotado."
        return f"No hay {name} en {place.title()} en este momento.{tail}"
    tail = f" It is available at: {elsewhere}." if elsewhere else " It is out of stock right now."
    return f"{name} is not available in {place.title()} right now.{tail}"


def comparison(products: Sequence[Any], lang: Language, *, judging: bool = False) -> str:
    """Products one after the other, each with its description and where it is. `judging`:
    the customer asked which is best, which the catalog's facts cannot say."""
    found = [p for p in products if isinstance(p, dict) and "error" not in p]
    if len(found) <= 1:  # one product shown: nothing to set it beside
        return details_answer(found[0] if found else {"error": "not_found"}, lang)
    if judging:
        head = (
            "No puedo decirte cuál es mejor para ti, pero aquí los tienes uno al lado del otro:"
            if lang == "es"
            else "I can't tell which is best for you, but here they are side by side:"
        )
    else:
        head = "Uno al lado del otro:" if lang == "es" else "Side by side:"
    return "\n\n".join([head, *(details_answer(p, lang) for p in found)])


_BEYOND: dict[str, dict[Language, str]] = {
    "cheaper": {"en": "cheaper", "es": "más barato"},
    "pricier": {"en": "pricier", "es": "más caro"},
    "big": {"en": "bigger", "es": "más grande"},
    "small": {"en": "smaller", "es": "más pequeño"},
}


def nothing_beyond(product: dict[str, Any], beyond: str, lang: Language) -> str:
    """Nothing of that kind is cheaper (pricier, bigger, smaller: `beyond`) than `product`."""
    line = product_line(product, lang)
    if lang == "es":
        return f"No tengo nada {_BEYOND[beyond][lang]} de ese tipo: {line}."
    return f"I have nothing {_BEYOND[beyond][lang]} of that kind: {line}."


def nothing_under(query: str, ceiling: str, cheapest: dict[str, Any] | None, lang: Language) -> str:
    """Nothing of the kind searched for costs at most `ceiling`; the cheapest of it that was
    shown, if any (not the nearest thing under that price: a desk fan is no cheap laptop)."""
    if lang == "es":
        head = f"No tengo «{query}» por {ceiling} o menos."
        tail = (
            f" El más económico de los que te mostré: {product_line(cheapest, lang)}."
            if cheapest
            else ""
        )
    else:
        head = f'I have no "{query}" for {ceiling} or less.'
        tail = f" The cheapest I showed you: {product_line(cheapest, lang)}." if cheapest else ""
    return head + tail


def nothing_more(query: str, lang: Language) -> str:
    """Every product the last search finds has been shown."""
    if lang == "es":
        return f"Eso es todo lo que tengo para «{query}». ¿Busco otra cosa?"
    return f'That\'s everything I have for "{query}". Shall I look for something else?'


def already_in_cart(lines: Sequence[dict[str, Any]], lang: Language) -> str:
    held = ", ".join(_amount_of(line, lang) for line in lines)
    if lang == "es":
        return f"Ya tienes {held} en el carrito. Si quieres más, dime cuántos en total."
    return f"You already have {held} in your cart. If you want more, tell me how many in all."


def farewell(cart: Sequence[dict[str, Any]], lang: Language, *, thanked: bool = False) -> str:
    """A goodbye; with a cart, what is in it and how to order it when they come back."""
    if lang == "es":
        opening = "¡Con gusto!" if thanked else "¡Claro, tómate tu tiempo!"
    else:
        opening = "You're welcome!" if thanked else "Sure, take your time!"
    if not cart:
        if lang == "es":
            return f"{opening} Aquí estoy cuando necesites algo. ¡Hasta pronto!"
        return f"{opening} Write any time you need something. Bye!"
    held = ", ".join(_amount_of(line, lang) for line in cart)
    if lang == "es":
        return (
            f"{opening} En tu carrito tienes {held}. Cuando quieras, escribe «confirmar "
            "pedido». ¡Hasta pronto!"
        )
    return f'{opening} Your cart has {held}. Just say "checkout" when you\'re ready. Bye!'


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
        "store_info": {
            "en": "I can't answer questions about delivery, payment, opening hours, returns, "
            'offers or warranties myself, but a person from our team can: just say "talk to '
            "a person\" and I'll pass you over. Meanwhile I can search products, give prices "
            "and stock, and take your order.",
            "es": "No puedo responder sobre envíos, formas de pago, horarios, devoluciones, "
            'ofertas o garantías, pero una persona de nuestro equipo sí: escribe "hablar con '
            'un asesor" y te comunico. Mientras tanto puedo buscar productos, darte precios y '
            "disponibilidad, y tomar tu pedido.",
        },
        "change_cart": {
            "en": "Of course: tell me what to add or change in your cart.",
            "es": "Claro: dime qué agrego o cambio en tu carrito.",
        },
        "change_order": {
            "en": "An order can't be changed here once it's placed, but I can take a new order "
            "with what you'd like to add, or cancel it and put it together again. A person "
            'from our team can also help: just say "talk to a person".',
            "es": "Un pedido ya hecho no se puede cambiar por aquí, pero puedo tomarte un pedido "
            "nuevo con lo que quieras agregar, o cancelarlo y armarlo de nuevo. Una persona "
            'de nuestro equipo también te puede ayudar: escribe "hablar con un asesor".',
        },
        "help": {
            "en": "I can find products and tell you their price and stock, add them to your "
            "cart, place your order and tell you how it is going, or cancel it. Just write "
            'what you need ("do you have rice?", "2 kg of apples", "checkout"), or '
            '"talk to a person" for someone from our team.',
            "es": "Puedo buscar productos y decirte su precio y disponibilidad, agregarlos a "
            "tu carrito, hacer tu pedido y decirte cómo va, o cancelarlo. Escribe lo que "
            'necesitas ("¿tienen arroz?", "2 kg de manzanas", "confirmar pedido"), o '
            '"hablar con un asesor" para alguien de nuestro equipo.',
        },
        "no_problem": {
            "en": "No problem. Anything else I can help you with?",
            "es": "De acuerdo. ¿Te ayudo con algo más?",
        },
        "which_one": {
            "en": "Which product do you mean? Tell me its name, or its number in the list.",
            "es": "¿Cuál producto? Dime su nombre o su número en la lista.",
        },
        "unknown": {
            "en": "I can search products, tell you prices and availability, and take your "
            "order. What are you looking for?",
            "es": "Puedo buscar productos, darte precios y disponibilidad, y tomar tu pedido. "
            "¿Qué estás buscando?",
        },
    }
    return texts.get(kind, texts["unknown"])[lang]


_STATUS: dict[str, dict[Language, str]] = {
    "confirmed": {"en": "confirmed", "es": "confirmado"},
    "fulfilled": {"en": "delivered (fulfilled)", "es": "entregado"},
    "cancelled": {"en": "cancelled", "es": "cancelado"},
}


def amount_text(quantity: str, unit: str, lang: Language) -> str:
    if unit == "kg":
        return f"{quantity} kg"
    if unit == "pack":
        return f"{quantity} {'paquete(s)' if lang == 'es' else 'pack(s)'}"
    return f"{quantity} ×"


def _amount_of(line: dict[str, Any], lang: Language) -> str:
    """ "2 kg Red apples", "3 × Leche entera 1L": a cart or order line's quantity and name."""
    return f"{amount_text(line['quantity'], line.get('unit', 'unit'), lang)} {line['name']}"


def cart_answer(view: dict[str, Any], lang: Language, *, heading: bool = True) -> str:
    lines = view.get("lines") or []
    if not lines:
        return "Tu carrito está vacío." if lang == "es" else "Your cart is empty."
    currency = view.get("currency", "USD")
    rows = [
        f"- {_amount_of(line, lang)} "
        f"({money(line['unit_price'], currency)}) = {money(line['line_total'], currency)}"
        for line in lines
    ]
    head = ["Tu carrito:" if lang == "es" else "Your cart:"] if heading else []
    total = f"Total: {money(view['total'], currency)}"
    return "\n".join([*head, *rows, total])


def cart_change_answer(content: dict[str, Any], lang: Language, kind: str) -> str:
    """One line about an add / update / remove result."""
    error = content.get("error")
    name = content.get("name", content.get("item_code", ""))
    if error == "short":
        available, unit = content["available"], content.get("unit", "unit")
        if available in ("0", "0.0"):
            return (
                f"Lo siento, {name} está agotado."
                if lang == "es"
                else f"Sorry, {name} is out of stock."
            )
        amount = amount_text(available, unit, lang).removesuffix(" ×")
        if lang == "es":
            return (
                f"Solo tenemos {amount} de {name} disponibles (pediste "
                f"{content['requested']}). ¿Agrego esas {available}?"
            )
        return (
            f"We only have {amount} of {name} available (you asked for "
            f"{content['requested']}). Shall I add those {available}?"
        )
    if error == "bad_quantity":
        return (
            f"No pude agregar {name}: {content['reason']}."
            if lang == "es"
            else f"I couldn't add {name}: {content['reason']}."
        )
    if error in ("not_found", "not_in_cart"):
        return (
            "No encontré ese producto en tu carrito."
            if lang == "es" and error == "not_in_cart"
            else "No encontré ese producto."
            if lang == "es"
            else "That product isn't in your cart."
            if error == "not_in_cart"
            else "I couldn't find that product."
        )
    if kind == "remove_from_cart":
        return (
            f"Quité {content['removed']} del carrito."
            if lang == "es"
            else f"Removed {content['removed']} from your cart."
        )
    amount = amount_text(content["quantity"], content["unit"], lang)
    if kind == "update_cart_item":
        return (
            f"Listo, ahora tienes {amount} {name}."
            if lang == "es"
            else f"Done, you now have {amount} {name}."
        )
    price = money(content["unit_price"], content.get("cart", {}).get("currency", "USD"))
    added = content.get("added", content["quantity"])
    if added != content["quantity"]:  # more of a product already in the cart
        more = amount_text(added, content["unit"], lang)
        return (
            f"Agregué {more} {name} ({price}); ahora tienes {amount.removesuffix(' ×')}."
            if lang == "es"
            else f"Added {more} {name} ({price}); you now have {amount.removesuffix(' ×')}."
        )
    return (
        f"Agregué {amount} {name} ({price})."
        if lang == "es"
        else f"Added {amount} {name} ({price})."
    )


def checkout_answer(content: dict[str, Any], lang: Language) -> str:
    if content.get("error") == "empty_cart":
        return (
            "Tu carrito está vacío: ¿qué te gustaría pedir?"
            if lang == "es"
            else "Your cart is empty: what would you like to order?"
        )
    summary = cart_answer(content, lang, heading=False)
    address = content.get("delivery_address") or "-"
    if lang == "es":
        return (
            f"Este es tu pedido:\n{summary}\nEntrega en: {address}.\n"
            "¿Confirmamos el pedido? Responde sí o no."
        )
    return (
        f"Here's your order:\n{summary}\nDelivery to: {address}.\n"
        "Shall I confirm the order? Please answer yes or no."
    )


def already_cancelled(content: dict[str, Any], lang: Language) -> str:
    """ "No, don't cancel", after the cancellation: it cannot be taken back here."""
    number = content.get("order", {}).get("number", "")
    if lang == "es":
        return (
            f"El pedido {number} ya quedó cancelado y no puedo reactivarlo. Puedo armarte el "
            'mismo pedido otra vez, o escribe "hablar con un asesor" para que te ayude una '
            "persona."
        )
    return (
        f"Order {number} is already cancelled and I can't restore it. I can put the same "
        'order together again, or say "talk to a person" for someone from our team.'
    )


def reorder_answer(content: dict[str, Any], lang: Language) -> str:
    """An earlier order put in the cart again: what went in, what is short or gone."""
    if content.get("error") == "not_found":
        return order_answer(content, lang, "repeat_order")
    es = lang == "es"
    number = content.get("order_number", "")
    cart = content.get("cart") or {}
    cur = cart.get("currency", "USD")
    lines: list[str] = []
    if content.get("added"):
        lines.append(
            f"Puse otra vez en tu carrito lo de tu pedido {number}:"
            if es
            else f"I've put your order {number} in the cart again:"
        )
        lines += [
            f"- {_amount_of({**a, 'quantity': a['added']}, lang)} ({money(a['unit_price'], cur)})"
            for a in content["added"]
        ]
    for item in content.get("short") or []:
        if item["available"] in ("0", ""):
            lines.append(
                f"{item['name']}: agotado en este momento."
                if es
                else f"{item['name']}: out of stock right now."
            )
        else:
            amount = amount_text(item["available"], item.get("unit", "unit"), lang)
            lines.append(
                f"De {item['name']} solo hay {amount}: agregué eso."
                if es
                else f"Only {amount} of {item['name']} available: I added that."
            )
    for item in content.get("no_longer_sold") or []:
        lines.append(
            f"{item['name']} ya no está a la venta." if es else f"{item['name']} is no longer sold."
        )
    if content.get("added") and cart.get("lines"):
        total = money(cart["total"], cart.get("currency", "USD"))
        lines.append(
            f"Total del carrito: {total}. Dime «listo» para pedirlo, o qué cambio."
            if es
            else f'Cart total: {total}. Say "checkout" to order it, or tell me what to change.'
        )
    return "\n".join(lines)


def order_answer(content: dict[str, Any], lang: Language, kind: str) -> str:
    error = content.get("error")
    if error == "not_found" and not content.get("order_number"):
        return (
            "Todavía no tienes pedidos con nosotros."
            if lang == "es"
            else "You don't have any orders with us yet."
        )
    if error == "not_found":
        return (
            "No encontré ese pedido entre tus pedidos."
            if lang == "es"
            else "I couldn't find that order among your orders."
        )
    if error == "not_cancellable" and content["status"] == "cancelled":
        return (
            f"El pedido {content['order_number']} ya estaba cancelado."
            if lang == "es"
            else f"Order {content['order_number']} was already cancelled."
        )
    if error == "not_cancellable":
        status = _STATUS[content["status"]][lang]
        return (
            f"El pedido {content['order_number']} ya está {status} y no se puede cancelar."
            if lang == "es"
            else f"Order {content['order_number']} is already {status} and can't be cancelled."
        )
    order = content.get("order", content)
    status = _STATUS[order["status"]][lang]
    total = money(order["total"], order.get("currency", "USD"))
    if kind == "cancel_order":
        return (
            f"Tu pedido {order['number']} fue cancelado. Los productos vuelven a estar disponibles."
            if lang == "es"
            else f"Your order {order['number']} has been cancelled."
        )
    items = ", ".join(_amount_of(item, lang) for item in order.get("items", []))
    what = f": {items}" if items else ""
    return (
        f"Tu pedido {order['number']} está {status}{what}. Total: {total}."
        if lang == "es"
        else f"Your order {order['number']} is {status}{what}. Total: {total}."
    )
