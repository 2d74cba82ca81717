"""confirm_order: the answer to the checkout read-back. Plain code, no model: only an
explicit yes places the order; a no keeps the cart (and a no with a change, "no wait, add
6 eggs", makes it); anything else is a normal message."""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import Context, services_of
from agent.messages import last_human_text
from agent.offline.intents import parse_message, request_after_no
from agent.offline.phrasing import money
from agent.replies import say
from agent.state import ConversationState, clearing
from agent.tools.orders import place_order


async def confirm_order(
    state: ConversationState, runtime: Runtime[Context]
) -> Command[Literal["ordering", "__end__"]]:
    intent = parse_message(last_human_text(state.messages))[0]
    answer = intent.kind
    if answer not in ("yes", "no") or state.customer is None or not state.cart:
        return Command(update={"checkout_pending": False}, goto="ordering")
    lang = state.language
    if request_after_no(intent) is not None:  # "no wait, add 6 eggs": not now, and a change
        return Command(update={"checkout_pending": False}, goto="ordering")
    if answer == "no":
        reply = say("order_kept_cart", lang)
        return Command(
            update={"checkout_pending": False, "messages": [AIMessage(reply)]}, goto="__end__"
        )
    services = await services_of(runtime.context)
    result = await place_order(services, runtime.context, state.customer, list(state.cart))
    if "order" not in result:
        sold_out = result["available"] in ("0", "0.0")
        key = "order_sold_out" if sold_out else "order_short"
        reply = say(key, lang, name=result["name"], available=result["available"])
        return Command(
            update={"checkout_pending": False, "messages": [AIMessage(reply)]}, goto="__end__"
        )
    order = result["order"]
    reply = say(
        "order_placed",
        lang,
        number=order["number"],
        total=money(order["total"], order["currency"]),
        address=order["delivery_address"],
    )
    return Command(
        update={
            "checkout_pending": False,
            "cart": [clearing()],
            "order_complete": True,
            "last_order_number": order["number"],
            "messages": [AIMessage(reply)],
        },
        goto="__end__",
    )
