"""verification: know who is writing before selling anything.

A phone from the channel is looked up at once; otherwise the bot asks for it. A known
customer is greeted by name and, if the first message already asks for something, the
ordering stage answers it in the same turn. A new customer gives a name and an address,
hears them read back, and confirms. All of it is plain code: no model call.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import Context, services_of
from agent.messages import last_human_text
from agent.names import (
    clean_address,
    corrected_address,
    extract_name,
    first_name,
    is_request,
    name_correction,
    split_name_and_address,
)
from agent.offline.intents import is_only_greeting, parse_message
from agent.offline.references import is_reference
from agent.phones import find_phone
from agent.replies import say
from agent.state import ConversationState, CustomerInfo, Registration
from storage.models import Customer

Next = Literal["ordering", "handoff", "__end__"]


def _info(customer: Customer) -> CustomerInfo:
    return CustomerInfo(
        id=customer.id, phone=customer.phone, name=customer.name, address=customer.address
    )


def _reply(*texts: str) -> AIMessage:
    return AIMessage(" ".join(texts))


async def verification(state: ConversationState, runtime: Runtime[Context]) -> Command[Next]:
    services = await services_of(runtime.context)
    text = last_human_text(state.messages)
    lang = state.language
    registration: Registration = Registration(**state.registration)
    first_contact = not state.phone_collected and "step" not in registration
    if first_contact and parse_message(text)[0].kind not in _NOT_A_QUESTION:
        registration["question"] = text  # answered once they are registered
    welcome = say("welcome", lang, store=services.store_name) if first_contact else ""

    if parse_message(text)[0].kind == "human":
        # Straight to a person, no registration first; but a customer the channel already
        # identifies is named, so the agent knows who is waiting.
        update: dict[str, Any] = {"registration": registration}
        if runtime.context.customer_phone and state.customer is None:
            known_customer = await services.customers.get_by_phone(runtime.context.customer_phone)
            if known_customer is not None:
                update |= {
                    "customer": _info(known_customer),
                    "customer_verified": True,
                    "phone_collected": True,
                }
        return Command(update=update, goto="handoff")

    known = state.customer["phone"] if state.customer else None
    phone = runtime.context.customer_phone or registration.get("phone") or known
    answered_phone = False
    if phone is None:
        if registration.get("step") != "phone":
            registration["step"] = "phone"
            return _ask(registration, _reply(welcome, say("ask_phone", lang)))
        phone = find_phone(text, services.phone_region)
        if phone is None:
            if _asks_something(text):
                return _later(text, lang, registration, {}, say("ask_phone", lang))
            return _ask(registration, _reply(say("bad_phone", lang)))
        registration = Registration(phone=phone)
        answered_phone = True

    update = {"phone_collected": True}
    customer = await services.customers.get_by_phone(phone)
    if customer is not None:
        info = _info(customer)
        greeting = say(
            "welcome_back", lang, name=first_name(customer.name), store=services.store_name
        )
        update |= {
            "customer": info,
            "customer_verified": True,
            "stage": "ordering",
            "registration": Registration(),
        }
        if answered_phone or is_only_greeting(text):
            update["messages"] = [_reply(greeting, say("how_can_i_help", lang))]
            return Command(update=update, goto="__end__")
        update["messages"] = [_reply(greeting)]
        return Command(update=update, goto="ordering")

    registration["phone"] = phone
    step = registration.get("step")
    if step in (None, "phone"):
        registration["step"] = "name"
        return _ask(registration, _reply(welcome, say("ask_name", lang)), update)
    if step == "name":
        return await _take_name(text, lang, registration, update)
    if step == "address":
        return _take_address(text, lang, registration, update)
    if step == "confirm":
        return await _confirm(text, lang, registration, update, runtime)
    return _fix(text, lang, registration, update, answering=True)


def _ask(
    registration: Registration, message: AIMessage, update: dict[str, Any] | None = None
) -> Command[Next]:
    return Command(
        update={**(update or {}), "registration": registration, "messages": [message]},
        goto="__end__",
    )


async def _take_name(
    text: str, lang: Literal["es", "en"], registration: Registration, update: dict[str, Any]
) -> Command[Next]:
    name, address = split_name_and_address(text)
    if name is None:
        if _asks_something(text):
            return _later(text, lang, registration, update, say("name_question", lang))
        return _ask(registration, _reply(say("bad_name", lang)), update)
    registration["name"] = name
    if address:  # "I'm John Smith, 5 Oak Ave, Boston"
        registration["address"] = address
    if registration.get("address"):
        return _read_back(lang, registration, update)
    registration["step"] = "address"
    return _ask(registration, _reply(say("ask_address", lang, name=name)), update)


def _take_address(
    text: str, lang: Literal["es", "en"], registration: Registration, update: dict[str, Any]
) -> Command[Next]:
    corrected = name_correction(text, registration.get("name", ""))
    if corrected:  # "sorry, it's Sarah Connor": the name again, and the address still to come
        registration["name"] = corrected
        return _ask(registration, _reply(say("ask_address", lang, name=corrected)), update)
    address = clean_address(text)
    if address is None:
        if _asks_something(text):
            return _later(text, lang, registration, update, say("address_question", lang))
        return _ask(registration, _reply(say("bad_address", lang)), update)
    registration["address"] = address
    return _read_back(lang, registration, update)


def _read_back(
    lang: Literal["es", "en"], registration: Registration, update: dict[str, Any]
) -> Command[Next]:
    registration["step"] = "confirm"
    return _ask(registration, _reply(_read_back_text(lang, registration)), update)


def _read_back_text(lang: Literal["es", "en"], registration: Registration) -> str:
    return say(
        "confirm_registration",
        lang,
        name=registration.get("name", ""),
        address=registration.get("address", ""),
    )


async def _confirm(
    text: str,
    lang: Literal["es", "en"],
    registration: Registration,
    update: dict[str, Any],
    runtime: Runtime[Context],
) -> Command[Next]:
    intent = parse_message(text)[0]
    if intent.kind == "yes":
        services = await services_of(runtime.context)
        customer = await services.customers.save(
            registration["phone"], registration["name"], registration["address"]
        )
        info = CustomerInfo(
            id=customer.id, phone=customer.phone, name=customer.name, address=customer.address
        )
        update |= {
            "customer": info,
            "customer_verified": True,
            "stage": "ordering",
            "registration": Registration(),
        }
        name = first_name(customer.name)
        question = registration.get("question")
        if question:  # "hola, ¿tienen arroz?" gets its answer now
            update["pending_question"] = question
            update["messages"] = [_reply(say("registered_then_answer", lang, name=name))]
            return Command(update=update, goto="ordering")
        update["messages"] = [_reply(say("registered", lang, name=name))]
        return Command(update=update, goto="__end__")
    if intent.kind == "no" or _NO_FIRST.match(text):
        registration["step"] = "fix"
        return _fix(_NO_FIRST.sub("", text, count=1), lang, registration, update)
    corrected = name_correction(text, registration.get("name", ""))
    if corrected:  # "sorry, my name is Sarah Connor"
        registration["name"] = corrected
        return _read_back(lang, registration, update)
    address = clean_address(text)
    if address and re.search(r"\d", address):  # another address, given instead of a yes
        registration["address"] = address
        return _read_back(lang, registration, update)
    if _asks_something(text):
        return _later(text, lang, registration, update, _read_back_text(lang, registration))
    return _ask(registration, _reply(say("ask_yes_no", lang)), update)


def _fix(
    text: str,
    lang: Literal["es", "en"],
    registration: Registration,
    update: dict[str, Any],
    *,
    answering: bool = False,
) -> Command[Next]:
    """After a "no": ask which field, or take the corrected value if they already gave it."""
    lowered = text.lower()
    part = corrected_address(text, registration.get("address", ""))
    if part:  # "no, es casa 14"
        registration["address"] = part
        return _read_back(lang, registration, update)
    if parse_message(text)[0].kind == "yes":  # it was right after all: read it back again
        return _read_back(lang, registration, update)
    if any(word in lowered for word in ("address", "direcci", "calle", "street")):
        registration["step"] = "address"
        corrected = clean_address(_after_keyword(text))
        if corrected:
            registration["address"] = corrected
            return _read_back(lang, registration, update)
        return _ask(registration, _reply(say("bad_address", lang)), update)
    if any(word in lowered for word in ("name", "nombre", "llamo")):
        registration["step"] = "name"
        corrected = extract_name(_after_keyword(text))
        if corrected:
            registration["name"] = corrected
            return _read_back(lang, registration, update)
        return _ask(registration, _reply(say("bad_name", lang)), update)
    if answering and _asks_something(text):
        return _later(text, lang, registration, update, say("ask_fix", lang))
    # asked what to fix and answered with neither: an example of what to write
    hint = "fix_hint" if answering else "ask_fix"
    return _ask(registration, _reply(say(hint, lang)), update)


def _asks_something(text: str) -> bool:
    """A request for the shop ("¿tienen margarina?", "remove the oil") sent while a
    registration question is open: kept for later rather than taken as the answer. Words
    the parser can only search for, or a list without a verb ("Los Palos Grandes,
    Caracas"), count when they read as a request."""
    kind = parse_message(text)[0].kind
    return kind not in _NOT_A_QUESTION and (kind not in ("search", "add") or is_request(text))


def _later(
    text: str,
    lang: Literal["es", "en"],
    registration: Registration,
    update: dict[str, Any],
    question: str,
) -> Command[Next]:
    """Keep the request to answer once registered, and ask the registration question
    again. A request that names something replaces the one kept; a follow-up that names
    nothing ("¿y cuánto cuesta?", after "¿tienen arroz?") leaves it. Why it waits is said
    once; asked again, the shopper hears it is noted."""
    kept = bool(registration.get("question"))
    if not kept or _names_something(text):
        registration["question"] = text
    return _ask(
        registration, _reply(say("later_again" if kept else "later", lang), question), update
    )


def _names_something(text: str) -> bool:
    return any(
        not is_reference(phrase)
        for intent in parse_message(text)
        for phrase in (intent.phrase, *(item.phrase for item in intent.items))
    )


_NOT_A_QUESTION = frozenset({"greeting", "thanks", "unknown", "yes", "no", "human", "help"})
"""First messages that ask nothing to answer after registering."""

_NO_FIRST = re.compile(r"^\s*(?:no|nope|nah|not really|wrong|incorrecto)\b[\s,.!]*", re.IGNORECASE)
"""The "no" a correction starts with: "no, the address is 124 Main St"."""


def _after_keyword(text: str) -> str:
    """ "the address is 5 Main St" → "5 Main St"; "" when nothing follows the keyword."""
    for marker in (" is ", " es ", ": ", " to ", " a "):
        if marker in text:
            return text.split(marker, 1)[1]
    return ""
