"""The fixed sentences the assistant says in deterministic steps, in Spanish and English.

Model-written answers follow `agent/prompts.py`; these are the ones no model is needed for.
"""

from __future__ import annotations

from agent.language import Language

_TEXTS: dict[str, dict[Language, str]] = {
    "welcome": {
        "en": "Hi! Welcome to {store}.",
        "es": "¡Hola! Bienvenido a {store}.",
    },
    "ask_phone": {
        "en": "To look up your account, what is your phone number (with country code)?",
        "es": "Para buscar tu cuenta, ¿cuál es tu número de teléfono (con código de país)?",
    },
    "bad_phone": {
        "en": "That doesn't look like a phone number. Please write it with the country code, "
        "for example +1 555 010 0001.",
        "es": "Eso no parece un número de teléfono. Escríbelo con el código de país, "
        "por ejemplo +58 414 555 6677.",
    },
    "ask_name": {
        "en": "I don't have you registered yet. What's your name?",
        "es": "Todavía no estás registrado. ¿Cuál es tu nombre?",
    },
    "later": {
        "en": "I'll answer that right after registering you: it only takes your name and "
        "delivery address.",
        "es": "Te respondo eso justo después de registrarte: solo necesito tu nombre y tu "
        "dirección de entrega.",
    },
    "later_again": {
        "en": "Noted: I'll answer that once you're registered.",
        "es": "Anotado: te respondo en cuanto termines el registro.",
    },
    "name_question": {
        "en": "First, what's your name?",
        "es": "Primero, ¿cómo te llamas?",
    },
    "address_question": {
        "en": "First, what's your delivery address?",
        "es": "Primero, ¿cuál es tu dirección de entrega?",
    },
    "bad_name": {
        "en": "Sorry, I didn't catch your name. What should I call you?",
        "es": "Disculpa, no entendí tu nombre. ¿Cómo te llamas?",
    },
    "ask_address": {
        "en": "Thanks, {name}. What's your delivery address?",
        "es": "Gracias, {name}. ¿Cuál es tu dirección de entrega?",
    },
    "bad_address": {
        "en": "Please write your full delivery address (street, number and city).",
        "es": "Por favor escribe tu dirección de entrega completa (calle, número y ciudad).",
    },
    "confirm_registration": {
        "en": "Let me check: your name is {name} and your delivery address is {address}. "
        "Is that right?",
        "es": "Confirmo: tu nombre es {name} y tu dirección de entrega es {address}. ¿Es correcto?",
    },
    "ask_fix": {
        "en": "No problem. What should I fix: your name or your address?",
        "es": "Sin problema. ¿Qué corrijo: tu nombre o tu dirección?",
    },
    "fix_hint": {
        "en": 'Tell me what to change, for example "the address is 5 Oak Ave, Boston" or "my '
        'name is Ann Lee".',
        "es": "Dime qué cambio, por ejemplo «la dirección es Calle Real 5, Valencia» o «mi "
        "nombre es Ana Pérez».",
    },
    "ask_yes_no": {
        "en": "Please answer yes or no: is that right?",
        "es": "Por favor responde sí o no: ¿es correcto?",
    },
    "registered": {
        "en": "You're all set, {name}! What can I get for you today?",
        "es": "¡Listo, {name}! Ya estás registrado. ¿Qué te puedo ofrecer hoy?",
    },
    "registered_then_answer": {
        "en": "You're all set, {name}! Now, about what you asked:",
        "es": "¡Listo, {name}! Ya estás registrado. Sobre lo que me preguntaste:",
    },
    "welcome_back": {
        "en": "Hi {name}! Welcome back to {store}.",
        "es": "¡Hola {name}! Qué bueno verte de nuevo en {store}.",
    },
    "how_can_i_help": {
        "en": "How can I help you today?",
        "es": "¿En qué te puedo ayudar hoy?",
    },
    "handoff": {
        "en": "Sure, I'm passing you to a person from our team (a human agent). "
        "They'll follow up here shortly.",
        "es": "Claro, te comunico con un asesor de nuestro equipo (una persona). "
        "Te escribirá por aquí en breve.",
    },
    "welcome_back_from_handoff": {
        "en": "I'm back. How can I help you?",
        "es": "Aquí estoy de nuevo. ¿En qué te puedo ayudar?",
    },
    "order_placed": {
        "en": "Done! Your order {number} is confirmed. Total: {total}. We'll deliver it to "
        "{address}.",
        "es": "¡Listo! Tu pedido {number} está confirmado. Total: {total}. Lo entregaremos en "
        "{address}.",
    },
    "order_short": {
        "en": "Sorry, I couldn't place the order: {name} has only {available} left. Nothing "
        "was charged or reserved; shall I change the quantity?",
        "es": "Lo siento, no pude hacer el pedido: de {name} solo quedan {available}. No se "
        "reservó nada; ¿ajusto la cantidad?",
    },
    "order_sold_out": {
        "en": "Sorry, I couldn't place the order: {name} just sold out. Nothing was reserved "
        "and your cart is still here; shall I remove it?",
        "es": "Lo siento, no pude hacer el pedido: {name} se acaba de agotar. No se reservó "
        "nada y tu carrito sigue aquí; ¿lo quito?",
    },
    "order_kept_cart": {
        "en": "No problem, I haven't placed the order and your cart is still here. What would "
        "you like to change?",
        "es": "Sin problema, no hice el pedido y tu carrito sigue igual. ¿Qué quieres cambiar?",
    },
    "confirm_location": {
        "en": "Shall I use {address} as your delivery address? Please answer yes or no.",
        "es": "¿Uso {address} como tu dirección de entrega? Responde sí o no.",
    },
    "address_updated": {
        "en": "Done, I'll deliver your orders to {address}.",
        "es": "Listo, tus pedidos llegarán a {address}.",
    },
    "address_updated_checkout": {
        "en": "Done, your order will be delivered to {address}. Shall I place it? Please "
        "answer yes or no.",
        "es": "Listo, tu pedido llegará a {address}. ¿Lo confirmo? Responde sí o no.",
    },
    "ask_new_address": {
        "en": "Sure. What's the new delivery address (street, number and city)?",
        "es": "Claro. ¿Cuál es la nueva dirección de entrega (calle, número y ciudad)?",
    },
    "address_kept": {
        "en": "OK, I'll keep delivering to {address}.",
        "es": "De acuerdo, sigo entregando en {address}.",
    },
    "please_write": {
        "en": "Sorry, I can't listen to voice notes here. Could you write your message?",
        "es": "Disculpa, por aquí no puedo escuchar notas de voz. ¿Me lo escribes?",
    },
    "voice_language": {
        "en": "Sorry, I can only understand voice notes in English. Could you write your message?",
        "es": "Disculpa, todavía no entiendo notas de voz en español. ¿Me lo escribes, por favor?",
    },
    "voice_empty": {
        "en": "Your voice note arrived empty. Could you send it again or write your message?",
        "es": "Tu nota de voz llegó vacía. ¿Me la envías de nuevo o me lo escribes?",
    },
    "voice_not_audio": {
        "en": "I couldn't play that voice note. Could you send it again or write your message?",
        "es": "No pude reproducir esa nota de voz. ¿Me la envías de nuevo o me lo escribes?",
    },
    "voice_too_long": {
        "en": "That voice note is too long for me ({limit} seconds at most). "
        "Could you send a shorter one or write your message?",
        "es": "Esa nota de voz es muy larga para mí (máximo {limit} segundos). "
        "¿Me envías una más corta o me lo escribes?",
    },
    "voice_unclear": {
        "en": "Sorry, I couldn't make out that voice note (I understand voice notes in "
        "English). Could you write your message? Si hablas español, escríbeme por favor.",
        "es": "Disculpa, no entendí esa nota de voz. ¿Me lo escribes, por favor?",
    },
    "voice_silent": {
        "en": "I couldn't hear anything in your voice note. Could you try again or write?",
        "es": "No escuché nada en tu nota de voz. ¿Lo intentas de nuevo o me lo escribes?",
    },
    "unsupported_message": {
        "en": "Sorry, I can only read text messages. Could you write what you need?",
        "es": "Disculpa, solo puedo leer mensajes de texto. ¿Me escribes lo que necesitas?",
    },
    "too_many_messages": {
        "en": "You're sending messages faster than I can answer. Give me a minute, please.",
        "es": "Me escribes más rápido de lo que puedo responder. Dame un minuto, por favor.",
    },
    "model_unavailable": {
        "en": "Sorry, I'm having trouble right now. Please try again in a moment.",
        "es": "Disculpa, tengo un problema en este momento. Intenta de nuevo en un momento.",
    },
}


def say(key: str, language: Language, **values: str) -> str:
    """The sentence `key` in `language`, filled with `values`."""
    return _TEXTS[key][language].format(**values)
