"""Which language the customer writes in: Spanish or English, by marker words."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["es", "en"]

_SPANISH = frozenset(
    """
    hola buenas buenos dias tardes noches gracias por favor quiero quisiera necesito tienen
    tiene hay busco cuanto cuesta cuesta precio como estas esta estoy que cual donde cuando
    si sí no mi mis el la los las un una unos unas del al de y o con para pero tambien también
    carrito pedido pedir comprar agregar agrega añade anade quita quitar elimina eliminar
    mejor sean kilos kilo docena media par leche arroz pan huevos manzanas asesor persona
    humano hablar llamo nombre dirección direccion vivo calle avenida correcto listo dale
    claro perfecto confirmar confirmo cancelar estado ver mostrar muestrame quieres puedes
    televisor televisores pulgadas cuánto cuál dónde también paquete paquetes lata latas
    llevo lleva llevar dame deme ponme primero primera segundo segunda tercero tercera
    otro otra entera entero barato barata caro cara tengo debo envío envio horario abren
    holi holis tienes das xfa porfa tmb bebidas azucar azúcar cafe café sip epa chao
    cuantos cuántos cosas mándame mandame regálame regalame
    """.split()
)

_ENGLISH = frozenset(
    """
    hi hello hey good morning afternoon evening thanks thank please want would like need
    have do does you any how much cost price what which where when yes no my the a an of and
    or with for but also cart order buy add remove delete make it instead kilos kilo dozen
    half pair milk rice bread eggs apples agent person human talk speak name address live
    street avenue right correct okay sure confirm cancel status show see checkout that
    this is are i i'm im can could tv tvs inch inches pack packs can cans there
    give take get put bring another one two three first second third cheap cheapest
    gimme wanna gonna u thx pls plz yep yeah nope
    """.split()
)

_WORD = re.compile(r"[a-záéíóúñü']+")
_STRETCH = re.compile(r"(.)\1+")


def detect_language(text: str, current: Language | None = None) -> Language:
    """Spanish or English from the words used; ties keep the conversation's language."""
    lowered = text.lower()
    if any(ch in lowered for ch in "¿¡ñ"):
        return "es"
    # "holaa", "hiii": a stretched word counts as itself
    words = [
        w if w in _SPANISH or w in _ENGLISH else _STRETCH.sub(r"\1", w)
        for w in _WORD.findall(lowered)
    ]
    spanish = sum(1 for w in words if w in _SPANISH)
    english = sum(1 for w in words if w in _ENGLISH)
    spanish += sum(1 for w in words if any(ch in w for ch in "áéíóú"))
    if spanish > english:
        return "es"
    if english > spanish:
        return "en"
    return current or "en"
