"""confirm_address: a location the customer shared, or an address they asked to deliver
to ("send it to 9 Pine St"), becomes their delivery address only after an explicit yes.
Plain code, no model."""

from __future__ import annotations

from typing import Literal

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import Context, services_of
from agent.messages import last_human_text
from agent.names import address_change, clean_address
from agent.offline.intents import parse_message
from agent.replies import say
from agent.routing import LOCATION_PIN
from agent.state import ConversationState, CustomerInfo


async def confirm_address(
    state: ConversationState, runtime: Runtime[Context]
) -> Command[Literal["ordering", "__end__"]]:
    text = last_human_text(state.messages)
    lang = state.language
    if text.startswith(LOCATION_PIN):
        # A pin without a street name is still a place a courier can find.
        address = clean_address(text) or text.removeprefix(LOCATION_PIN).strip() or None
        if address is None:
            return Command(update={"proposed_address": None}, goto="ordering")
        return _propose(address, lang)
    change = address_change(text)
    if change is not None:
        if change:
            return _propose(change, lang)
        # "quiero cambiar la dirección": which one? ("" marks the question as asked)
        reply = say("ask_new_address", lang)
        return Command(
            update={"proposed_address": "", "messages": [AIMessage(reply)]}, goto="__end__"
        )
    if state.proposed_address == "":
        given = clean_address(text)
        if given:
            return _propose(given, lang)
        return Command(update={"proposed_address": None}, goto="ordering")
    answer = parse_message(text)[0].kind
    proposed, customer = state.proposed_address, state.customer
    if answer not in ("yes", "no") or proposed is None or customer is None:
        return Command(update={"proposed_address": None}, goto="ordering")
    if answer == "no":
        reply = say("address_kept", lang, address=customer["address"] or "-")
        return Command(
            update={"proposed_address": None, "messages": [AIMessage(reply)]}, goto="__end__"
        )
    services = await services_of(runtime.context)
    saved = await services.customers.save(customer["phone"], customer["name"], proposed)
    updated = CustomerInfo(id=saved.id, phone=saved.phone, name=saved.name, address=saved.address)
    reply = say(
        "address_updated_checkout" if state.checkout_pending else "address_updated",
        lang,
        address=saved.address,
    )
    return Command(
        update={"proposed_address": None, "customer": updated, "messages": [AIMessage(reply)]},
        goto="__end__",
    )


def _propose(address: str, lang: Literal["es", "en"]) -> Command[Literal["ordering", "__end__"]]:
    reply = say("confirm_location", lang, address=address)
    return Command(
        update={"proposed_address": address, "messages": [AIMessage(reply)]}, goto="__end__"
    )
