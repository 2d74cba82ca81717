"""What a shopper's message asks for, in English or Spanish, by rules.

The parser is deliberately forgiving: it looks for trigger phrases, strips politeness and
filler, and splits item lists on commas and conjunctions. It never guesses a product: it
returns the words that name it, and the planner resolves them against the catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Literal, cast

from agent.offline.quantities import Quantity, decimal_fractions, split_quantity
from agent.offline.references import is_reference
from storage.text import unaccented

IntentKind = Literal[
    "greeting",
    "thanks",
    "human",
    "search",
    "details",
    "add",
    "update",
    "remove",
    "view_cart",
    "checkout",
    "yes",
    "no",
    "order_status",
    "cancel_order",
    "reorder",
    "store_info",
    "help",
    "compare",
    "unknown",
]

PriceOrder = Literal["price_low", "price_high"]


@dataclass(frozen=True, slots=True)
class ItemRequest:
    """Words naming a product (possibly a reference like "the first one") and a quantity."""

    phrase: str
    quantity: Quantity | None = None
    order: PriceOrder | None = None
    """ "the cheapest coffee": among the matches, the one at this end of the price range."""
    more: bool = False
    """ "2 more", "otro": on top of what the cart has (else a quantity for a product already
    in the cart, "ponme dos", is what the shopper wants to end up with)."""


@dataclass(frozen=True, slots=True)
class Intent:
    kind: IntentKind
    items: tuple[ItemRequest, ...] = ()
    phrase: str = ""
    order_number: str | None = None
    max_price: Decimal | None = None
    order: PriceOrder | None = None
    """ "a cheap phone", "el televisor más barato": matches listed by price."""
    place: str | None = None
    """ "is it available in Valencia?": the city or branch asked about."""
    refines: bool = False
    """ "which ones are wireless?", "¿y en rojo?": the phrase narrows the previous search."""
    narrows_shown: bool = False
    """ "¿y los inalámbricos?": the previous search narrowed if the word sets some of it
    apart; else, like "¿y los plátanos?", a search of its own."""
    size: Literal["big", "small"] | None = None
    """ "el más grande", "the smallest one": of what was shown, by the size in its name."""
    farewell: bool = False
    """ "bye", "lo voy a pensar": the customer is leaving (with or without a cart)."""


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_HUMAN = _rx(
    r"(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s*one|somebody|the\s+)?"
    r"(?:human|person|agent|representative|operator|someone|real|manager|staff|advisor)",
    r"(?:human|real person|live agent|customer service|representative|operator)",
    r"hablar\s+con\s+(?:un|una|el|la|alguien|algun|alguna)?\s*"
    r"(?:asesor|asesora|persona|humano|agente|operador|operadora|encargado|vendedor|alguien)",
    r"(?:un|una|el|la)\s+(?:asesor|asesora|humano|agente|operador|operadora)",
    r"atencion al cliente",
    r"(?:pasame|pasenme|comunicame|comuniquenme|conectame|transfiereme)\s+con\s+(?:alguien|una?\s+\w+|el\s+\w+|la\s+\w+)",
    r"(?:transfer|connect|put)\s+me\s+(?:to|with|through\s+to)\s+(?:someone|somebody|a\s+\w+|an\s+\w+|the\s+\w+)",
    r"persona real",
)
_HUMAN_ALONE = re.compile(
    r"^(?:an?\s+|un[oa]?\s+|el\s+|la\s+)?(?:agente?|asesor[a]?|humano|operador[a]?|human|"
    r"representative|operator|persona|person)(?:\s+(?:please|por\s+favor|pls|porfa))?$"
)
"""A message that is only the word: "agente por favor", "human"."""
_COMPLAINT = _rx(
    r"complain\w*",
    r"queja\w*",
    r"reclam\w*",
    r"upset",
    r"angry",
    r"furious",
    r"molest[oa]s?",
    r"enojad[oa]s?",
    r"disgustad[oa]s?",
    r"(?:never|hasn'?t|has\s+not|didn'?t|did\s+not)\s+(?:arrive|arrived|come|came)",
    r"no\s+(?:me\s+)?(?:ha\s+)?lleg(?:ado|o|a)",
    r"nunca\s+lleg\w*",
    r"wrong\s+(?:item|product|order)",
    r"(?:arrived|came|lleg\w+)\s+(?:damaged|broken|roto|rota|danad[oa])",
)
"""A complaint goes to a person: the bot cannot make it right."""
_HELP = re.compile(
    r"^(?:(?:i\s+need\s+|i\s+want\s+|necesito\s+|quiero\s+)?(?:some\s+)?(?:help|ayuda)|"
    r"ayudame|menu|options|opciones|what\s+can\s+you\s+do|"
    r"que\s+(?:puedes|sabes)\s+hacer|how\s+does\s+this\s+work|como\s+funciona)"
    r"(?:\s+(?:please|por\s+favor|me))?$"
)
_ABOUT_IT = _rx(
    r"how\s+(?:big|large|heavy|tall|wide|long|small|much\s+does\s+it\s+weigh)\s+(?:is|are)\s+(?:it|they|this|that)",
    r"(?:de\s+)?que\s+tamano\s+(?:es|tiene)",
    r"cuanto\s+(?:mide|miden|pesa|pesan)",
    r"(?:in\s+|at\s+)?which\s+(?:stores?|branch(?:es)?|locations?|shops?)",
    r"en\s+(?:que|cuales|cual)\s+(?:tiendas?|sucursal(?:es)?|sedes?)",
    r"where\s+(?:can\s+i\s+(?:find|get|buy)\s+(?:it|them)|is\s+it\s+available|do\s+you\s+have\s+it)",
    r"donde\s+(?:lo|la|los|las)\s+(?:consigo|tienen|hay|venden)",
    r"(?:does|do|will|can)\s+(?:it|they|this|that|this\s+one|that\s+one)\s+"
    r"(?:have|come\s+(?:with|in)|include|support|work|fit|run)",
    r"(?:is|are)\s+(?:it|they|this|that|this\s+one|that\s+one)\s+"
    r"(?!available|in\s+stock|on\s+sale)\w+",
    r"(?:trae|incluye|viene\s+(?:con|en)|vienen\s+en|sirve\s+para|funciona\s+con)",
    r"(?:what|which)\s+colou?rs?",
    r"(?:en\s+)?(?:que|cuales)\s+colores",
    r"colou?rs?\s*\?*$",
    r"colores\s*\?*$",
)
"""A question about the product at hand that its details answer."""
_COMPARE = _rx(
    r"compare\w*",
    r"compar\w*",
    r"difference\w*",
    r"diff",
    r"diferencia\w*",
    r"which\s+(?:one\s+)?(?:is|would\s+you)\s+(?:better|recommend)",
    r"which\s+(?:one\s+)?is\s+(?:\w+er|more\s+\w+|the\s+\w+est)",
    r"cual\s+(?:es\s+)?(?:mas|menos)\s+\w+",
    r"cual\s+(?:es\s+)?(?:mejor|me\s+recomiendas)",
    r"which\s+(?:one\s+)?(?:has|have|gets|takes|makes)\s+(?:the\s+)?(?:best|better|most|more)",
    r"(?:which|what)(?:'s|\s+is)\s+(?:the\s+)?best",
    r"cual\s+(?:tiene|trae|toma|hace)\s+(?:el\s+|la\s+|los\s+|las\s+)?(?:mejor|mejores|mas)",
    r"cual\s+es\s+(?:el|la)\s+mejor",
    r"(?:vs|versus)",
)
"""Weighing the products just shown against each other."""
_HOW_BIG_IS = re.compile(
    r"^(?:y\s+)?cuanto\s+(?:mide|miden|pesa|pesan)\s+(?:el|la|los|las)\s+(.+)$"
)
_TOO_DEAR = _rx(
    r"(?<!nothing\s)(?<!not\s)(?<!nada\s)(?<!no\s)"
    r"(?:(?:that'?s|it'?s|this\s+is|esta|es|son|estan)\s+)?(?:too|very|so|muy|demasiado|bastante)"
    r"\s+(?:expensive|pricey|caros?|caras?)",
)
"""The price of what was shown is too high: the customer wants cheaper ones."""
_THE_ONE_WITH = re.compile(r"^(?:y\s+)?(?:el|la|los|las|uno|una)\s+(?:de|con|para)\s+(.+)$")
"""A kind of what was shown, by what it has: "el de pie", "la de chocolate"."""
_THE_KIND_ONES = re.compile(
    r"^(?:(?:and|what\s+about|how\s+about)\s+)?(?:the|any)\s+([a-z0-9-]+)\s+ones$"
)
"""A kind of what was shown, by a word: "the sony ones", "any wireless ones"."""
_AND_THE_PLURAL = re.compile(r"^y\s+(?:los|las)\s+([a-z0-9-]+)$")
"""Spanish "y los inalámbricos?" after the headphones, or "y los plátanos?" after the
apples: a word alone after "y los / y las"."""
_FROM_BRAND = re.compile(
    r"^(?:(?:and|y)\s+)?(?:(?:do\s+you\s+have|have\s+you\s+got|tienen|tienes|hay)\s+)?"
    r"(?:(?:any(?:thing)?|some(?:thing)?)\s+(?:from|by)|from|by|"
    r"(?:algun[oa]?s?|algo)\s+de(?:\s+la)?(?:\s+marca)?|(?:de\s+(?:la\s+)?)?marca)"
    r"\s+([a-z0-9][a-z0-9&+-]*)$"
)
"""A brand among what was shown: "any from sony?", "¿alguno de samsung?", "¿de la marca
LG?" (after the headphones: Sony headphones, not everything Sony makes)."""
_NOT_A_KIND = frozenset({"otros", "otras", "mismos", "mismas", "demas", "tuyos", "dos", "tres"})
_BETWEEN = frozenset(
    {"between", "them", "these", "those", "entre", "ellos", "ellas", "estos", "esos"}
)
_REORDER = _rx(
    r"(?:repeat|reorder|redo)\s+(?:my|the|that|this)?\s*(?:last\s+|previous\s+|usual\s+)?order",
    r"reorder",
    r"order\s+(?:it\s+|that\s+|the\s+same\s+)?again",
    r"(?:the\s+)?same\s+(?:as|thing\s+as|order\s+as)\s+(?:last\s+time|before|last\s+week)",
    r"(?:my|the)\s+usual",
    r"(?:repet\w+|volver\s+a\s+pedir)\s+(?:el|mi)\s+(?:ultimo\s+|mismo\s+)?pedido(?:\s+anterior)?",
    r"lo\s+mismo\s+(?:de|que)\s+(?:la\s+(?:vez\s+pasada|ultima\s+vez|otra\s+vez)|siempre|antes|"
    r"el\s+(?:otro\s+dia|ultimo\s+pedido)|la\s+semana\s+pasada)",
    r"lo\s+de\s+siempre",
    r"(?:el|mi)\s+pedido\s+de\s+siempre",
    r"(?:pedir|quiero)\s+lo\s+mismo",
)
"""The customer's latest order (or the one named) again, into the cart."""
_WHAT_I_ORDERED = _rx(
    r"what\s+did\s+i\s+(?:order|buy)",
    r"que\s+(?:fue\s+lo\s+que\s+)?(?:pedi|compre)",
    r"what'?s\s+in\s+my\s+order",
)
_CANCEL = _rx(r"cancel\w*", r"anula\w*")
_ORDER_WORD = _rx(r"orders?", r"pedidos?", r"compras?", r"ordene?s?")
_STATUS = _rx(
    r"status",
    r"estado",
    r"where\s+is",
    r"where's",
    r"donde\s+esta",
    r"como\s+va",
    r"track\w*",
    r"seguimiento",
    r"llega\w*",
    r"arrive\w*",
    r"my\s+order",
    r"mi\s+pedido",
)
_VIEW_CART = _rx(
    r"(?:my|the|el|mi)\s+(?:cart|basket|carrito|carro)",
    r"in\s+(?:my|the)\s+(?:cart|basket)",
    r"(?:ver|muestra\w*|mostrar|show|see|view)\s+(?:el\s+|my\s+|the\s+|mi\s+)?(?:cart|carrito)",
    r"que\s+(?:tengo|llevo)",
    r"cuanto\s+(?:llevo|va|vamos)",
    r"(?:what|how\s+much)\s+do\s+i\s+owe",
    r"(?:what|how\s+much)\s+(?:will|do|would)\s+i\s+(?:pay|have\s+to\s+pay)",
    r"cuanto\s+(?:voy\s+a\s+pagar|pago|tengo\s+que\s+pagar|me\s+sale\s+todo)",
    r"cuanto\s+(?:le\s+|te\s+)?debo",
    r"what\s+(?:do\s+)?i\s+have",
    r"(?:the|el|mi|my)\s+total",
    r"^(?:y\s+|and\s+|ok\s+)?total$",
    r"total\s+(?:so\s+far|hasta\s+ahora)",
    r"cuanto\s+(?:es|sale|seria|va|llevo)\s+(?:todo|en\s+total|el\s+total)",
    r"how\s+much\s+(?:is\s+)?(?:it\s+)?(?:all|everything|in\s+total|so\s+far)",
    r"cart",
    r"carrito",
    r"cuant[oa]s\s+(?:\w+\s+){0,4}(?:tengo|llevo)(?:\s+en\s+el\s+carrito)?",
    r"how\s+(?:many|much)\s+(?:\w+\s+){0,4}(?:do\s+i\s+have|have\s+i\s+got)",
    r"how\s+many\s+(?:items|things|products)\s+are\s+in",
)
_REMOVE = _rx(
    r"remove",
    r"forget\s+(?:about\s+)?(?=the|my|that|those)",
    r"olvida\w*\s+(?:el|la|los|las|lo|eso)",
    r"cancel(?:a|ar|e)?",  # "cancel the milk" (not "noise cancelling")
    r"delete",
    r"take\s+(?:out|off)",
    r"drop",
    r"get\s+rid\s+of",
    r"quita\w*",
    r"quitar",
    r"elimina\w*",
    r"saca\w*",
    r"borra\w*",
    r"no\s+quiero",
    r"don'?t\s+want",
    r"do\s+not\s+want",
    r"sin\s+(?:el|la|los|las)",
)
_UPDATE = _rx(
    r"make\s+(?:it|that|them)",
    r"make",
    r"mejor\s+que\s+sean?",
    r"que\s+sean?",
    r"mejor",
    r"change",
    r"cambia\w*",
    r"instead",
    r"en\s+vez",
    r"actually",
    r"update",
    r"ponle",
    r"pon\s+(?:solo\s+)?",
    r"only\s+(?=\d)",
    r"better\s+(?=\d)",
    r"(?:i\s+)?meant",
    r"quise\s+decir",
    # "me equivoqué, eran 2": a bare amount, correcting the one just given
    r"(?:me\s+equivoque\W*\s*)?(?:eran|era|son)\s+(?=(?:\d+|una?|dos|tres|cuatro|cinco)\W*$)",
    r"solo\s+(?=\d)",
)
_CHECKOUT = _rx(
    r"check\s*out",
    r"place\s+(?:the\s+|my\s+)?order",
    r"that'?s\s+(?:all|it|everything)",
    r"finish\w*",
    r"complete\s+(?:the\s+|my\s+)?(?:order|purchase)",
    r"pay",
    r"confirm\w*\s+(?:el|mi|the|my)\s+(?:pedido|order|compra)",
    r"confirmar",
    r"confirmemos",
    r"let'?s\s+confirm",
    r"vamos\s+a\s+confirmar",
    r"finaliz\w*",
    r"proce(?:de|da|der|sa|sar)\s+(?:con\s+)?(?:el\s+|mi\s+)?(?:pedido|compra)",
    r"proceed\s+(?:with|to)\s+(?:the\s+|my\s+)?(?:order|checkout|purchase)",
    r"pagar",
    r"eso\s+es\s+todo",
    r"nada\s+mas",
    r"nothing\s+else",
    r"es\s+todo",
    r"listo",
    r"terminar",
    r"hacer\s+(?:el\s+|un\s+|mi\s+)?pedido",
    r"(?:place|make)\s+an?\s+order",
    r"(?:quiero|me\s+gustaria)\s+(?:pedir|ordenar|comprar)$",
    r"(?:i\s+)?(?:want|would\s+like|'d\s+like)\s+to\s+(?:order|buy)$",
    r"ya\s+esta$",
    r"^ya$",
    r"(?:eso\s+)?seria\s+todo",
    r"hagamos\s+(?:el\s+)?(?:pedido|compra)",
    r"i'?m\s+(?:done|finished|ready)",
    r"(?:ya\s+)?termine",
    r"cerrar\s+(?:el\s+)?pedido",
    r"proceder",
    r"proceed",
)
_YES = re.compile(
    r"^(?:yes|yeah|yep|yup|sure|ok|okay|correct|right|confirm|confirmed|of course|sip|sipi|aja|"
    r"si|claro|dale|correcto|confirmo|confirma(?:lo|la)?|exacto|perfecto|de acuerdo|asi es|"
    r"esta bien|"
    r"that'?s right|that is right|that'?s correct|sounds good|go ahead|do it|"
    r"si(?:,)? (?:esta|es) correct[oa]|si(?:,)? confirmo|yes please|si por favor|"
    r"asi esta (?:bien|perfecto)|(?:that'?s|it'?s) fine|"
    r"(?:esta|es) correct[oa]|todo (?:esta )?bien|(?:that|it) is (?:correct|right)|"
    r"it'?s (?:correct|right)|all good|perfect|looks good|exactly)\b"
)
_NO = re.compile(
    r"^(?:no|nope|nah|not really|wrong|incorrect|that'?s wrong|that'?s not right|"
    r"esta mal|incorrecto|no es correcto|negativo|todavia no|not yet)\b"
)
_DETAILS = _rx(
    r"how\s+many(?:\s+(?:do\s+you\s+have|are\s+(?:there|left)|left|in\s+stock))?",
    r"cuant[oa]s\s+(?:hay|tienen|quedan|te\s+quedan|les\s+quedan)",
    r"how\s+much",
    r"price",
    r"cost\w*",
    r"cuanto\s+(?:sale|salen|seria|serian|sera)",
    r"(?:que\s+)?precio\s+(?:tiene|tienen)",
    r"a\s+como\s+(?:esta|estan|sale|salen|es|son)",
    r"cuanto",
    r"precio",
    r"valen?",
    r"cuestan?",
    r"details?",
    r"detalles?",
    r"tell\s+me\s+(?:more\s+)?about",
    r"info\w*",
    r"specs?",
    r"especificaciones",
    r"caracteristicas",
    r"more\s+about",
)
_WHAT_THERE_IS = (
    r"(?:do\s+)?(?:you|y'?all)\s+(?:guys\s+|all\s+)?(?:have|sell|carry|stock)",
    r"have\s+you\s+got",
    r"tienen",
    r"tienes",
    r"venden",
    r"vendes",
    r"show\s+me",
    r"muestra\w*",
    r"looking\s+for",
    r"busco",
    r"buscando",
)
"""Asking what the store has ("do you have phones?", "¿tienen leche?"), whatever is at hand."""
_SEARCH = _rx(
    *_WHAT_THERE_IS,
    r"is\s+there",
    r"are\s+there",
    r"any",
    r"tiene",
    r"hay",
    r"vende",
    r"manejan",
    r"consigo",
    r"search\w*",
    r"find",
    r"ensena\w*",
    r"what(?=\s+(?:\w+\s+){1,3}do\s+you\s+(?:have|sell|carry|stock))",
    r"que(?=\s+(?:\w+\s+){1,3}(?:tienen|venden|hay)\b)",
    r"available",
    r"disponible\w*",
    r"in\s+stock",
    r"options",
    r"opciones",
)
_ADD = _rx(
    r"i'?d\s+like",
    r"i\s+would\s+like",
    r"i\s+want",
    r"i\s+need",
    r"i'?ll\s+take",
    r"i\s+will\s+take",
    r"give\s+me",
    r"add",
    r"get\s+me",
    r"can\s+i\s+(?:have|get)",
    r"could\s+i\s+(?:have|get)",
    r"put",
    r"quiero",
    r"quisiera",
    r"necesito",
    r"dame",
    r"deme",
    r"manda(?:me|nos)?",
    r"mandeme",
    r"trae(?:me|nos)",
    r"lleva(?:me|nos)",
    r"regala(?:me|nos)",
    r"me\s+(?:regalas|regala|regalan|vendes|vende|venden|pasas|traes)",
    r"send\s+me",
    # "can you deliver 2 bags of rice", "could you bring me some milk" (not "can you
    # deliver it?" or "… tomorrow?", which ask about delivery)
    r"(?:deliver|bring)(?:\s+(?:me|us))?(?=\s+(?:\d|a|an|some|one|two|three|four|five|six)\b)",
    r"gimme",
    r"lemme\s+get",
    r"let\s+me\s+get",
    r"i'?ll\s+have",
    r"i'?d\s+love",
    r"me\s+encantaria",
    r"(?:i'?ll\s+|i\s+will\s+|to\s+|let\s+me\s+)?buy",
    r"(?:i'?ll\s+|i\s+will\s+)?go\s+(?:with|for)",
    r"me\s+quedo\s+con",
    r"me\s+falto",
    r"(?:se\s+me\s+olvido|olvide)",
    r"i\s+forgot",
    r"me\s+das",
    r"me\s+da",
    r"agrega\w*",
    r"anade\w*",
    r"añade\w*",
    r"pon\w*",
    r"me\s+llevo",
    r"llevo",
    r"compro",
    r"comprar",
    r"pedir",
    r"ordenar",
    r"(?:to\s+)?order(?=\s+(?:\d|a|an|some|one|two|three|four|five|six)\b)",
    r"want",
    r"also",
    r"tambien",
)
_ON_TOP = _rx(r"add", r"agrega\w*", r"anade\w*", r"suma\w*")
"""Verbs that add to what the cart has ("agrega una", "add two"), unlike "ponme dos" or
"I want 2", which say how many the shopper wants in all."""


_ASKS_WHAT_THERE_IS = _rx(*_WHAT_THERE_IS)


def asks_what_there_is(text: str) -> bool:
    """ "do you have phones?", "¿tienen leche?": the products there are, not the one at
    hand ("the 500g one", "¿hay de 500g?")."""
    return bool(_ASKS_WHAT_THERE_IS.search(_fold_keep_numbers(text)))


def adds_on_top(text: str) -> bool:
    return bool(_ON_TOP.search(_fold_keep_numbers(text)))


_GREETING = _rx(
    # stretched as people type them: "holaa", "hiii", "heyyy"
    r"hi+",
    r"hel+o+",
    r"he+y+",
    r"good\s+(?:morning|afternoon|evening|day)",
    r"ho+la+s?",
    r"buen(?:os|as)?\s*(?:dias|tardes|noches)?",
    r"wenas",  # "buenas", as typed
    r"saludos",
    r"(?:que|q)\s+tal",
    r"soy\s+(?:un\s+|una\s+)?(?:client[ea]\s+)?nuev[oa](?:\s+client[ea])?(?:\s+aqui)?",
    r"i'?m\s+(?:a\s+)?new(?:\s+customer)?(?:\s+here)?",
    r"(?:es\s+)?(?:mi\s+)?primera\s+vez(?:\s+que\s+(?:compro|escribo))?",
    r"(?:it'?s\s+)?(?:my\s+)?first\s+time(?:\s+here)?",
    r"epa+",
    r"epale",
    r"quiubo",
    r"greetings",
)
_THANKS = _rx(
    r"thanks?",
    r"thx",
    r"thank\s+you",
    r"gracias+",
    r"muchas\s+gracias",
    r"ty",
)
_GOODBYE = _rx(
    r"chao",
    r"chau",
    r"adios",
    r"bye(?:\s+bye)?",
    r"goodbye",
    r"hasta\s+(?:luego|pronto|manana)",
    r"nos\s+vemos",
    r"see\s+(?:you|ya)(?:\s+later)?",
    r"take\s+care",
    r"cuidate",
    r"(?:i'?ll|i\s+will|let\s+me|gonna)\s+think\s+about\s+it",
    r"(?:lo\s+)?(?:voy\s+a\s+pensar(?:lo)?|pensare|lo\s+pienso|dejame\s+pensarlo)",
    r"(?:i'?ll|i\s+will)\s+(?:come|be|check)\s+back(?:\s+later)?",
    r"(?:talk|write)\s+(?:to\s+you\s+)?later",
    r"(?:te|les)\s+(?:escribo|aviso)\s+(?:luego|despues|mas\s+tarde)",
    r"(?:luego|despues|mas\s+tarde)\s+(?:te|les)\s+(?:escribo|aviso)",
    # "luego confirmo", "I'll confirm later": the cart waits for them
    r"(?:luego|despues|mas\s+tarde)\s+(?:lo\s+)?(?:confirmo|pido|compro|vuelvo|regreso)",
    r"(?:confirmo|pido|compro|vuelvo|regreso)\s+(?:luego|despues|mas\s+tarde)",
    r"(?:i'?ll|i\s+will)\s+(?:confirm|order|buy)(?:\s+(?:it|them))?\s+later",
)
"""A goodbye, answered like thanks (and reminding what is left in the cart)."""
_FILLER = _rx(
    r"please",
    r"por\s+favor",
    r"pls",
    r"plz",
    r"porfa",
    r"porfis",
    r"xfa",
    r"xfavor",
    r"tmb",
    r"tb",
    r"tambn",
    r"ok(?:ay)?",
    r"entonces",
    r"then",
    r"pues",
    r"also",
    r"tambien",
    r"too",
    r"(?:wait|hold\s+on|espera|esperate|un\s+momento)",
    r"and(?!\s+(?:a\s+)?half\b)",  # not "1 kg and a half"
    r"y(?!\s+medi[oa]\b)",  # not "2 kilos y medio"
    r"just",
    r"solo",
    r"some",
    r"unos?\s+cuantos",
    r"well",
    r"bueno",
    r"so",
    r"and\s+then",
    r"oh",
    r"um+",
    r"eh",
    r"hmm+",
    r"ah+",
    r"again",
    r"otra\s+vez",
    r"(?:to|in|into)\s+(?:my|the)\s+(?:cart|basket)",
    r"(?:to|at)\s+(?:my|our|the)\s+(?:house|home|place|address|office|apartment|flat)",
    r"(?:a|en)\s+(?:mi|la)\s+casa",
    r"(?:al|a\s+mi|en\s+(?:el|mi))\s+carrito",
    r"oops",
    r"ups",
    r"(?:que\s+)?(?:me\s+)?recomienda\w*",
    r"(?:quisiera|quiero|queria|me\s+gustaria)\s+saber(?:\s+si)?",
    r"(?:disponibilidad|existencia)\s+de",
    r"(?:i'?d\s+like|i\s+want|i\s+wanted)\s+to\s+know(?:\s+if)?",
    r"(?:me\s+)?(?:puedes|podrias|puede|podria)\s+(?:decir|indicar)(?:me)?(?:\s+si)?",
    r"(?:can|could)\s+you\s+tell\s+me(?:\s+if)?",
    r"(?:what\s+)?(?:do|would|can)\s+you\s+(?:recommend|suggest)",
    r"recommend\w*",
    r"for\s+(?:it|them|this\s+one|that\s+one)",
    r"para\s+(?:eso|este|esta|ese|esa)",
    r"cool",
    r"great",
    r"nice",
    r"awesome",
    r"genial",
    r"chevere",
    r"fino",
    r"excelente",
    r"uy",
    r"sorry",
    r"perdon",
    r"perdona",
    r"disculpa",
    r"wait",
    r"espera",
    r"uh",
    r"(?:kinds?|types?|sorts?|brands?)\s+of",
    r"(?:tipos?|clases?|marcas?)\s+de",
    r"right\s+now",
    r"(?:at\s+the\s+moment|today|currently|these\s+days)",
    r"(?:hoy(?:\s+en\s+dia)?|ahorita|ahora\s+mismo|actualmente|en\s+este\s+momento)",
    r"ya",
    r"(?:you\s+)?got",
    r"(?:i\s+)?(?:changed|change)\s+my\s+mind",
    r"cambie\s+de\s+(?:opinion|idea)",
    r"pensandolo\s+(?:bien|mejor)",
    r"on\s+second\s+thought",
    # whom or where it is for says nothing of what it is ("a tv for my living room");
    # "a case for my iphone" does, and stays
    r"(?:for|para)\s+(?:my|our|the|mi|mis|nuestr[oa]s?|el|la|los|las)\s+(?:"
    r"living\s*room|bed\s*room|room|kitchen|office|house|home|apartment|flat|business|"
    r"store|shop|family|son|daughter|kids?|children|baby|wife|husband|mom|mum|mother|dad|"
    r"father|parents|girlfriend|boyfriend|friend|sala|cuarto|habitacion|cocina|oficina|"
    r"casa|hogar|apartamento|negocio|tienda|familia|hij[oa]s?|ninos|bebe|esposa|esposo|"
    r"mama|papa|madre|padre|padres|novi[oa]|amig[oa])",
    r"for\s+(?:work|school|college|university|the\s+office|home)",
    r"para\s+(?:el\s+trabajo|trabajar|estudiar|la\s+(?:escuela|universidad|oficina|casa)|"
    r"el\s+colegio|la\s+u|mi\s+trabajo)",
    r"(?:something|anything|algo|alguna\s+cosa)\s+(?=for\b|para\b)",
    r"(?:(?:can|could)\s+you\s+)?help\s+me(?:\s+(?:to\s+)?(?:find|get|choose|pick)|\s+with)?",
    r"(?:me\s+)?(?:ayudas|ayuda|puedes\s+ayudarme|podrias\s+ayudarme)\s+a\s+"
    r"(?:buscar|encontrar|elegir|escoger)",
    # "la carne molida está bien", "the blue one is fine": the choice, not a search word
    r"(?:esta|estaria|es|seria)\s+(?:bien|perfect[oa]|buen[oa])$",
    r"(?:is|would\s+be|sounds|will\s+do)\s+(?:fine|good|ok|okay|great|perfect)$",
    r"will\s+do$",
    # nor does how good it should be
    r"(?:brand\s+)?new",
    r"nuev[oa]s?",
    r"good",
    r"decent",
)
_FUNCTION_WORDS = _rx(
    r"i",
    r"me",
    r"i'm",
    r"im",
    r"you",
    r"we",
    r"us",
    r"my",
    r"mi",
    r"your",
    r"tus?",
    r"sus?",
    r"lo",
    r"yo",
    r"do",
    r"does",
    r"can",
    r"could",
    r"would",
    r"will",
    r"is",
    r"are",
    r"es",
    r"son",
    r"esta",
    r"estan",
    r"there",
    r"what",
    r"whats",
    r"which",
    r"que",
    r"donde",
    r"cual",
    r"cuales",
    r"the",
    r"el",
    r"la",
    r"los",
    r"las",
    r"actually",
    r"about",
    r"how\s+about",
    r"what\s+about",
    r"it",
    r"that",
    r"this",
    r"those",
    r"these",
    r"they",
    r"them",
    r"ell[oa]s",
    r"es[oa]s",
    r"est[oa]s",
    r"one",
    r"ones",
    r"now",
    r"ahora",
    r"aqui",
    r"here",
)
_LEADING = frozenset(
    {
        "a",
        "an",
        "un",
        "una",
        "unos",
        "unas",
        "of",
        "de",
        "del",
        "for",
        "para",
        "con",
        "with",
        "to",
        "about",
        "sobre",
        "y",
        "and",
    }
)
_STORE_INFO = _rx(
    # delivery
    r"shipping",
    r"delivery",
    r"do\s+you\s+deliver",
    r"(?:me\s+)?(?:lo|la|los|las)\s+(?:mandas|mandan|envias|envian|traes|traen|llevan|entregan)",
    r"(?:can|will|could)\s+you\s+(?:deliver|send|bring)\s+(?:it|them)",
    r"(?:can|will|could)\s+you\s+deliver\s+(?:today|tomorrow|tonight|on\s+\w+|this\s+\w+|next\s+\w+)",
    r"when\s+(?:can|will|do)\s+you\s+deliver",
    r"when\s+(?:will|would|does|do)\s+(?:it|they|my\s+order)\s+(?:arrive|get\s+here|come)",
    r"same\s+day",
    r"hoy\s+mismo",
    # picking up at the store
    r"pick\s*(?:it\s+|them\s+)?up",
    r"pickup",
    r"(?:retir|recog|busc)\w*\s+en\s+(?:la\s+)?tienda",
    r"deliver\s+to\s+my",
    r"envios?",
    r"despacho\w*",
    r"a\s+domicilio",
    r"hacen\s+entregas?",
    # payment methods (a bare "pay" / "pagar" is a checkout)
    r"pay\w*\s+(?:with|by|in)\s+(?:a\s+)?(?:credit\s+|debit\s+)?(?:card|cash|transfer|zelle|dollars|bolivares)",
    r"(?:credit|debit)\s+cards?",
    r"accept\s+(?:credit\s+|debit\s+)?cards?",
    r"payment\s+(?:methods?|options?)",
    r"(?:pag\w*|aceptan|acepta)\s+(?:con\s+)?(?:tarjeta|efectivo|zelle|transferencia|pago\s+movil|dolares|bolivares)",
    r"(?:formas?|metodos?|medios?)\s+de\s+pago",
    r"pago\s+movil",
    # opening hours
    r"what\s+time\s+(?:do|are|does)\s+(?:you|the\s+store)\s+(?:open|close)",
    r"opening\s+hours",
    r"(?:are|is)\s+(?:you|the\s+store)\s+open",
    r"store\s+hours",
    r"a\s+que\s+hora\s+(?:abren|cierran|abre|cierra)",
    r"horarios?",
    r"(?:estan|esta)\s+abiert[oa]s?",
    # offers, warranty
    r"offers?",
    r"discounts?",
    r"promo(?:tion)?s?",
    r"deals?",
    r"on\s+sale",
    r"ofertas?",
    r"descuentos?",
    r"promociones",
    r"promocion",
    r"warranty",
    r"guarantee",
    r"garantia",
    # returns
    r"returns?\s+(?:policy|an?\s+item|it|this)",
    r"refunds?",
    r"devoluci\w+",
    r"devolver",
    r"reembolsos?",
)
_CHEAPEST = _rx(
    r"(?:the\s+)?cheapest",
    r"cheaper",
    r"cheap",
    r"least\s+expensive",
    r"(?:the\s+)?lowest\s+price\w*",
    r"(?:el|la|los|las|lo)?\s*(?:mas\s+)?(?:barat[oa]s?|economic[oa]s?)",
    r"(?:de\s+)?menor\s+precio",
)
_PRICIEST = _rx(
    r"(?:the\s+)?most\s+expensive",
    r"(?:the\s+)?priciest",
    r"pricier",
    r"more\s+expensive",
    r"(?:the\s+)?highest\s+price\w*",
    r"(?:el|la|los|las|lo)?\s*mas\s+car[oa]s?",
    r"(?:de\s+)?mayor\s+precio",
)
_POINTING = _rx(
    r"it",
    r"that(?:\s+one)?",
    r"this(?:\s+one)?",
    r"them",
    r"those",
    r"these",
    r"es[eao]s?",
    r"est[eao]s?",
    # Spanish attaches "it" to the verb: agrégalo, dámelo, ponme uno, me lo llevo
    r"(?:agrega|agregue|anade|anada|da|de|pon|ponga|mete|meta|suma|sume|incluye|incluya|"
    r"trae|traiga|manda|mande|quita|quite|saca|saque|borra|borre|elimina|elimine)"
    r"(?:me|nos)?(?:lo|la|los|las)",
    r"(?:lo|la|los|las)\s+(?:quiero|llevo|compro|agrego|tomo|pido)",
)
_ONE_MORE = _rx(
    r"another(?:\s+one)?",
    r"one\s+more",
    r"otr[oa](?!\s+vez)(?:\s+mas)?",
    r"un[oa]?\s+mas",
)
_SWAP = re.compile(
    r"\b(?:cambia\w*|swap|change|replace)\s+(.+?)\s+(?:por|for|with)\s+"
    r"(?:otr[oa]s?|una?\s+(?:diferente|distint[oa])|another(?:\s+one)?|a\s+different\s+one|"
    r"something\s+else)\b"
)
_THEN = _rx(r"then", r"entonces", r"pues")
_THE_ONE = re.compile(r"^(?:the|el|la)\s+(\d[\d.,]*\s*[a-z\"]*)\s+(?:one|uno|una)$")
_OTHER_ONE = re.compile(
    r"^(?:(?:and\s+)?(?:what|how)\s+about|(?:y\s+)?(?:que\s+tal|y)|any)\s+"
    r"(?:an?other|other|otr[oa]s?)\s+(.*[a-z].*)$"
)
_NEVER_MIND = re.compile(
    r"^(?:oh\s+|ok\s+|actually\s+)?(?:never\s*mind|nvm|forget\s+it|olvidalo|olvida\s+eso|"
    r"no\s+importa)\b[\s,]*"
)
_BIGGEST = _rx(
    r"(?:the\s+)?(?:biggest|largest)(?:\s+one)?",
    r"(?:el|la|lo)?\s*mas\s+grande",
    r"(?:el|la)?\s*de\s+mayor\s+tamano",
)
_BIGGER = _rx(
    r"(?:any\s+)?(?:bigger|larger)(?:\s+ones?)?",
    r"(?:algo|alguno|alguna|uno|una|otro|otra)\s+mas\s+grande",
    r"(?:mas\s+grandes|de\s+mayor\s+tamano)",
)
_SMALLER = _rx(
    r"(?:any\s+)?smaller(?:\s+ones?)?",
    r"(?:algo|alguno|alguna|uno|una|otro|otra)\s+mas\s+(?:pequen[oa]|chic[oa])",
    r"mas\s+(?:pequen[oa]s|chic[oa]s)",
)
_SMALLEST = _rx(
    r"(?:the\s+)?smallest(?:\s+one)?",
    r"(?:el|la|lo)?\s*mas\s+(?:pequen[oa]|chic[oa])",
    r"(?:el|la)?\s*de\s+menor\s+tamano",
)
_CONTAINER = re.compile(r"(?:cartons?|carton|cartones|jars?|frascos?|tubs?|potes?)")
"""What an amount of the item before it comes in: "whole milk, 2 cartons"."""
_SHOPPING = _rx(
    r"(?:buy|get|do)\s+(?:some\s+|my\s+|the\s+)?(?:groceries|shopping|stuff|things)",
    r"(?:go\s+)?shopping",
    r"hacer\s+(?:el\s+|un\s+|unas\s+|las\s+|mi\s+)?(?:mercado|compras?)",
    r"comprar\s+(?:unas\s+|algunas\s+)?cosas",
)
"""Wanting to shop, with nothing named yet: a greeting that asks what they need."""
_PURPOSE = re.compile(r"\b(?:para|for)\s+(?:la\s+|el\s+|mi\s+|the\s+|my\s+|a\s+)?\w+$")
"""What the shopping is for: "unas cosas para la cena", "some things for the party"."""
_WHEN_ARRIVES = re.compile(
    r"^(?:and\s+|y\s+|ok\s+|okay\s+)?(?:cuando|when)\s+(?:me\s+|nos\s+)?(?:llega\w*|"
    r"(?:will|does|do)\s+(?:it|they|my\s+\w+)\s+(?:arrive|come|get\s+here)|"
    r"(?:is|are)\s+(?:it|they)\s+(?:arriving|coming))"
)
_HOW_MANY_THINGS = re.compile(
    r"\b(?:\d+|two|three|four|five|dos|tres|cuatro|cinco)\s+(?:things|items|cosas|productos)\b"
)
KEEP_ORDER = "keep the order"
CHANGE_ORDER = "change the order"
_CHANGE_ORDER = _rx(
    r"(?:add|put)\s+(?:something|anything|more(?:\s+\w+)?|other\s+\w+|stuff)\s+"
    r"(?:to|in|into)\s+(?:my|the)\s+order",
    r"(?:change|modify|edit|update)\s+(?:my|the)\s+order",
    r"(?:agreg|anad|sum|met)\w*\s+(?:algo|mas(?:\s+cosas)?|otras?\s+cosas?)\s+"
    r"(?:a|al|en)\s+(?:mi\s+|el\s+)?pedido",
    r"(?:cambi|modific|edit)\w*\s+(?:mi|el)\s+pedido",
)
"""Changing an order already placed: the bot cannot, and says what it can do."""
_TO_MY_ORDER = _rx(r"(?:to|in|into|a|al|en)\s+(?:my|the|mi|el)\s+(?:order|pedido)")
"""The phrase of a "no" that takes back a cancellation: "actually no, don't cancel"."""
_KEEP_ORDER = _rx(
    r"(?:don'?t|do\s+not|dont|no)\s+(?:cancel\w*|anul\w*)",
    r"no\s+(?:lo|la)\s+(?:cancel\w*|anul\w*)",
)
EVERYTHING = "everything"
"""The phrase of a removal of every line: "vacía el carrito", "remove everything"."""
EACH = "each"
"""The phrase of an add of every product just asked about: "2 de cada uno"."""
_CLEAR_CART = _rx(
    r"(?:empty|clear|reset)\s+(?:my|the)\s+(?:cart|basket)",
    r"vac[ia]\w*\s+(?:el|mi)\s+(?:carrito|carro)",
    r"vaciar\s+(?:el\s+|mi\s+)?(?:carrito|carro)",
    r"(?:remove|delete|cancel)\s+(?:everything|all(?:\s+of\s+it)?)(?:\s+(?:from|in)\s+(?:my|the)\s+cart)?",
    r"(?:borra|quita|saca|elimina|cancela)\w*\s+todo",
    r"start\s+over",
    r"empezar\s+de\s+(?:nuevo|cero)",
)
_EACH = _rx(
    r"of\s+each(?:\s+one)?", r"de\s+cada\s+(?:uno|una)", r"each\s+one", r"cada\s+(?:uno|una)"
)
_POINTING_ALONE = re.compile(
    r"(?:it|that(?:\s+one)?|this(?:\s+one)?|them|those|these|eso|esa|ese|esos|esas|lo|la)"
)
_VAGUE = re.compile(
    r"(?:(?:algo|alguno|alguna|algunos|algunas|anything|something|else|otro|otra|otros|otras"
    r"|other|others|mas|more)\s*)*"
)
_MORE = re.compile(r"(?:more|mas|extra|additional|adicional(?:es)?)")
_TAKE_OFF = re.compile(
    r"\btake\s+((?:\S+\s+){0,4}?\S+)\s+(?:off|out|away)\b(?:\s+of\s+(?:my|the)\s+(?:cart|basket))?"
)
_IN_STOCK = _rx(r"in\s+stock", r"en\s+stock", r"left", r"disponibles?", r"available")
_AFFORDABLE = _rx(
    r"(?:nothing|not|nada|no)\s+(?:too|very|so|that|muy|tan|demasiado)\s+"
    r"(?:expensive|pricey|car[oa]s?)",
    r"que\s+no\s+sea\s+(?:muy\s+|tan\s+)?car[oa]",
    r"affordable",
    r"on\s+a\s+budget",
    r"budget",
    r"asequibles?",
)
"""Browsing by price: a list from the cheapest, never a product picked for the shopper."""
_COLORS = (
    r"(?:red|black|white|blue|green|silver|gr[ae]y|gold|pink|purple|yellow|orange|"
    r"roj[oa]s?|negr[oa]s?|blanc[oa]s?|azul(?:es)?|verdes?|platead[oa]s?|gris(?:es)?|"
    r"dorad[oa]s?|rosad?[oa]?s?|morad[oa]s?|amarill[oa]s?|naranjas?)"
)
_REFINE = re.compile(
    r"^(?:and\s+|y\s+)?(?:which|cuales|cual)\s+(?:ones?\s+|of\s+them\s+|de\s+(?:ellos|ellas|esos|esas)\s+)?"
    r"(?:are|is|have|has|son|es|tienen|tiene|vienen|come|comes)\s+(.+)$"
)
_IN_COLOR = re.compile(
    r"^(?:and\s+|y\s+)?(?:any\s+|some\s+|algun[oa]?s?\s+|tienen\s+|hay\s+|do\s+you\s+have\s+"
    r"(?:it\s+|them\s+|one\s+)?)?((?:in|en)\s+" + _COLORS + r"\b.*)$"
)
_ELSEWHERE = re.compile(
    r"^(?:(?:and|y|what\s+about|how\s+about|and\s+what\s+about|y\s+que\s+tal)\s+)?"
    r"(?:in|at|en)\s+(?:the\s+|la\s+|el\s+)?"
    r"(?!(?:efectivo|cash|dolares|bolivares|divisas|tarjeta|card)\b)([a-z][a-z .'-]{1,40}?)\s*\??$"
)
_PLACE_ONLY = re.compile(r"^(?:in|at|en)\s+(?:the\s+|la\s+|el\s+)?([a-z][a-z .'-]{1,40})$")
_CODE = re.compile(r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b")
_PRICE_CEILING = re.compile(
    r"\b(?:under|below|less\s+than|cheaper\s+than|up\s+to|max(?:imum)?|menos\s+de|"
    r"por\s+debajo\s+de|hasta|maximo|no\s+mas\s+de|(?:que\s+)?no\s+pase\s+de|"
    r"not\s+more\s+than|at\s+most)\s+\$?\s*(\d+(?:\.\d+)?)"
    r"(?:\s*(?:dollars|dolares|usd|\$))?"
)
_LEADING_TO_PRICE = re.compile(r"\b(?:por|for|de|a|at|of|en|in)\s*$")
_PRICE_AROUND = re.compile(
    r"\b(?:around|about|approximately|roughly|alrededor\s+de|cerca\s+de|como|unos|de\s+unos)"
    r"\s+\$?\s*(\d+(?:\.\d+)?)\s*(?:dollars|dolares|bucks|usd|\$)"
)
"""A budget: "around 500 dollars" lists what costs up to a little more than that."""
_AROUND_MARGIN = Decimal("1.15")
_WRITTEN_ORDER_NUMBER = re.compile(r"\b(?:[A-Z0-9]*\d[A-Z0-9]*|[A-Z]{6})\b(?<=\w{5})(?<!\w{11})")
_ORDER_NUMBER = re.compile(r"\b(?:#\s*)?([a-z]{1,3}-?\d{3,10}|\d{4,10})\b")
_SPLIT = re.compile(
    r"\s*(?:,|;|\+|\be\b|\bplus\b|&|"
    r"\band\b(?!\s+a\s+half(?:\s*$|\s*[,;]|\s+of\b))|"
    r"\by\b(?!\s+medi[oa](?:\s*$|\s*[,;]|\s+de\b|\s+(?:kilos|kgs|litros|docenas)\b)))\s*"
)
"""Between the items of a list; not inside "2 kilos y medio (de carne)", "dos y medio
kilos", "1 kg and a half", but before "y medio kilo de queso"."""


@lru_cache(maxsize=2048)
def parse_message(text: str) -> tuple[Intent, ...]:
    """The intents of one customer message, in the order they should be served. (Cached:
    the model reads the same message at every step of a turn, and the one before it.)"""
    return tuple(
        _spelled_as_written(intent, text) for intent in _parse(_fold_keep_numbers(text), text)
    )


def _spelled_as_written(intent: Intent, text: str) -> Intent:
    """The parser reads accent-free words; what it searches for keeps the customer's own
    spelling ("pañales" and "panales" are different words to the embeddings)."""
    if text.isascii():
        return intent  # folding only lowered it
    spelled: dict[str, str] = {}
    for token in re.findall(r"[^\W_]+(?:'[^\W_]+)*", text.lower()):
        spelled.setdefault(unaccented(token), token)

    def restore(phrase: str) -> str:
        return " ".join(spelled.get(word, word) for word in phrase.split())

    if not intent.phrase and not intent.items:
        return intent
    return replace(
        intent,
        phrase=restore(intent.phrase),
        items=tuple(replace(item, phrase=restore(item.phrase)) for item in intent.items),
    )


def _parse(folded: str, text: str) -> list[Intent]:
    """`folded` read by the rules; `text` as written, for item codes."""
    if not folded:
        return [Intent("unknown")]
    if _HUMAN.search(folded) or _HUMAN_ALONE.match(folded):
        return [Intent("human")]
    if _COMPLAINT.search(folded):
        return [Intent("human", phrase="complaint")]
    if _HELP.match(folded):
        return [Intent("help")]
    if _TOO_DEAR.search(folded):  # "too expensive, show me others": cheaper ones
        rest = " ".join(_TOO_DEAR.sub(" ", folded).split()).strip(" ,.;!?")
        inner = _parse(rest, text)[0] if _strip(rest) else Intent("unknown")
        if inner.kind in ("search", "details", "unknown", "greeting"):
            phrase = inner.phrase if inner.kind == "search" else ""
            return [Intent("search", phrase=phrase, max_price=inner.max_price, order="price_low")]
        return [inner]
    has_order_word = bool(_ORDER_WORD.search(folded))
    number = _order_number(folded, text if has_order_word else "")
    kind_of = _THE_ONE_WITH.match(folded)
    if kind_of:  # "el de pie", after the fans: the standing fan, among the fans
        return [Intent("search", phrase=_strip(kind_of.group(1)), refines=True)]
    kind_ones = _THE_KIND_ONES.match(folded)
    if (
        kind_ones
        and kind_ones.group(1) not in ("other", "same", "new")
        and not any(p.search(folded) for p in (_CHEAPEST, _PRICIEST, _BIGGER, _SMALLER))
        and not is_reference(kind_ones.group(1))
    ):
        return [Intent("search", phrase=kind_ones.group(1), refines=True)]
    brand = _FROM_BRAND.match(folded)
    if brand and not is_reference(brand.group(1)) and brand.group(1) not in _BETWEEN:
        return [Intent("search", phrase=brand.group(1), refines=True)]
    plural = _AND_THE_PLURAL.match(folded)
    if plural and not is_reference(plural.group(1)) and plural.group(1) not in _NOT_A_KIND:
        return [Intent("search", phrase=plural.group(1), narrows_shown=True)]
    the_one = _THE_ONE.match(folded)
    if the_one:  # "the 500g one": a size in a name, pointing at what was shown
        return [Intent("search", phrase=the_one.group(1))]
    never_mind = _NEVER_MIND.match(folded)
    if never_mind:  # "never mind the case": off the cart; "never mind, I want the LG"
        rest = folded[never_mind.end() :]
        if not _strip(rest):
            return [Intent("no")]
        inner = _parse(rest, text)[0]
        asks = "?" in text or _SEARCH.search(rest) or _DETAILS.search(rest)
        if inner.kind in ("search", "details") and inner.phrase and not asks:
            return [Intent("remove", items=(ItemRequest(inner.phrase),))]
        return [inner]  # "ok never mind, what laptops do you have": a new question
    if _KEEP_ORDER.search(folded):  # "no, don't cancel"
        return [Intent("no", phrase=KEEP_ORDER)]
    if _CANCEL.search(folded) and (
        has_order_word or number or not _strip(_ADD.sub(" ", _CANCEL.sub(" ", _after_yes(folded))))
    ):  # "cancel order A-1234", "quiero cancelar mi pedido", "I want to cancel", "cancel it"
        return [Intent("cancel_order", order_number=number)]
    if _CHANGE_ORDER.search(folded):  # "can I add something to my order?"
        return [Intent("store_info", phrase=CHANGE_ORDER)]
    if _ADD.search(folded) and _TO_MY_ORDER.search(folded):
        # "add rice to my order": the order being put together, the cart
        return _parse(_TO_MY_ORDER.sub(" ", folded), text)
    if _WHEN_ARRIVES.match(folded):  # "¿cuándo llega?": the latest order
        return [Intent("order_status", order_number=number)]
    if _WHAT_I_ORDERED.search(folded):
        return [Intent("order_status", order_number=number)]
    if _REORDER.search(folded):  # "repeat my last order", "lo mismo de la vez pasada"
        return [Intent("reorder", order_number=number)]
    if has_order_word and _STATUS.search(folded) and not _CHECKOUT.search(folded):
        return [Intent("order_status", order_number=number)]
    if _STORE_INFO.search(folded):
        return [Intent("store_info")]
    if _SHOPPING.search(folded) and not _strip(
        _PURPOSE.sub(" ", _ADD.sub(" ", _SHOPPING.sub(" ", folded)).strip())
    ):
        return [Intent("greeting")]  # "I'd like to buy some groceries"
    if _CLEAR_CART.search(folded):
        return [Intent("remove", phrase=EVERYTHING)]
    folded = _TAKE_OFF.sub(r"remove \1", folded)  # "take one off", "take the milk out"
    if _REMOVE.search(folded) and not _ADD_AFTER_REMOVE.search(folded):
        rest = _REMOVE.sub(" ", folded)
        items = _items(rest)
        count = _count_alone(rest)
        if not items and count is not None:
            items = (ItemRequest("", count),)  # "remove one", "saca 2": of the one at hand
        if not items and _POINTING.search(folded):
            items = (ItemRequest("it"),)  # "can you remove it?", "quítalo"
        return [Intent("remove", items=items)]
    if _YES.match(folded) and _only_yes(folded):
        return [Intent("yes")]
    after_yes = _after_yes(folded)
    if after_yes != folded:  # "sí, dame 2", "yes, the first one": an add after the yes
        inner = _parse(after_yes, text)[0]
        if inner.kind in ("add", "no", "checkout"):  # "ok no cheese then", "perfecto, confirmemos"
            return [inner]
        if inner.kind in ("search", "details") and inner.phrase and is_reference(inner.phrase):
            return [Intent("add", items=(ItemRequest(inner.phrase),))]
    if _NO.match(folded) and len(folded.split()) <= 8:
        if _THEN.search(folded):  # "no cheese then", "no, entonces nada": declined
            return [Intent("no")]
        return [Intent("no", phrase=_strip(_NO.sub(" ", folded, count=1)))]
    rest_of_cart = _VIEW_CART.sub(" ", folded)
    if _VIEW_CART.search(folded) and (
        not _ADD.search(rest_of_cart) or not _bare(_ADD.sub(" ", rest_of_cart))
    ):  # "what's in my cart?", "me das el total?" (not "add rice to my cart")
        return [Intent("view_cart")]
    if _CHECKOUT.search(folded):
        return [Intent("checkout")]
    swap = _SWAP.search(folded)
    if swap:  # "cambia el detergente por otro": the other products of that kind
        return [Intent("search", phrase=_strip(swap.group(1)))]
    if _UPDATE.search(folded) and re.search(r"\d|\b(?:" + _NUMBER_WORDS + r")\b", folded):
        # "actually give me 2": the verb of an add names no product
        changed = _ADD.sub(" ", _UPDATE.sub(" ", folded))
        each = _EACH.search(changed)
        if each:  # "mejor 3 de cada uno": that many of every product just added
            quantity, _ = split_quantity(" ".join(changed[: each.start()].split()))
            return [Intent("update", items=(ItemRequest(EACH, quantity),))]
        return [Intent("update", items=_items(changed, trailing=True))]
    affordable = _AFFORDABLE.search(folded)
    if affordable:  # "a laptop for school, nothing too expensive": browse by price
        folded, max_price = _max_price(_AFFORDABLE.sub(" ", folded))
        phrase = _strip(_SEARCH.sub(" ", _ADD.sub(" ", folded)))
        return [Intent("search", phrase=phrase, max_price=max_price, order="price_low")]
    folded, order = _price_order(folded)
    for pattern, size in ((_BIGGER, "big"), (_SMALLER, "small")):
        rest = _strip(pattern.sub(" ", _SEARCH.sub(" ", _ADD.sub(" ", folded))))
        if pattern.search(folded) and _VAGUE.fullmatch(rest):
            # "any bigger ones?", "¿tienen algo más pequeño?": beyond what was shown
            return [Intent("search", size=cast(Literal["big", "small"], size))]
    for pattern, size in ((_BIGGEST, "big"), (_SMALLEST, "small")):
        if pattern.search(folded) and not _strip(pattern.sub(" ", _ADD.sub(" ", folded))):
            return [Intent("details", size=cast(Literal["big", "small"], size))]
    if _COMPARE.search(
        folded
    ):  # "what's the difference between them?", "compare the LG and the Samsung"
        names = [
            word
            for word in _strip(_COMPARE.sub(" ", folded)).split()
            if word.isalnum() and word not in _BETWEEN
        ]
        return [Intent("compare", phrase=" ".join(names))]
    weighed = _HOW_BIG_IS.match(folded)
    if weighed:  # "¿cuánto pesa el pollo?": that product's details
        return [Intent("details", phrase=_strip(weighed.group(1)))]
    if _ABOUT_IT.search(folded):  # "does it have 16 GB of RAM?": the description says
        return [Intent("details", order=order)]
    if _DETAILS.search(folded):
        phrase = _strip(_IN_STOCK.sub(" ", _DETAILS.sub(" ", folded)))
        per, named = split_quantity(phrase)
        if per is not None and per.unit is not None and named:
            phrase = named  # "cuánto vale el kilo de queso": the price of the cheese
        return [Intent("details", phrase=phrase, order=order)]
    refined = _REFINE.match(folded) or _IN_COLOR.match(folded)
    if refined:  # "which ones are wireless?", "and in black?": the last search, narrowed
        folded, max_price = _max_price(refined.group(1))
        phrase = _strip(folded)
        if phrase:
            return [Intent("search", phrase=phrase, max_price=max_price, order=order, refines=True)]
    elsewhere = _ELSEWHERE.match(folded)
    if elsewhere:  # "¿y en Maracay?", after the rice in Valencia: there, that
        return [Intent("details", place=elsewhere.group(1).strip())]
    code = _CODE.search(text)
    if code and not _ADD.search(folded) and not _starts_with_quantity(folded):
        kind: IntentKind = "details" if _DETAILS.search(folded) else "search"
        return [Intent(kind, phrase=code.group().upper())]
    folded, max_price = _max_price(folded)
    if max_price is not None and _VAGUE.fullmatch(_strip(_SEARCH.sub(" ", folded))):
        # "and under 600?", "¿algo por menos de 30?": the last search, under that price
        return [Intent("search", max_price=max_price, order=order)]
    ordering = _ADD.search(folded) and _starts_with_quantity(
        _strip(_ADD.sub(" ", _SEARCH.sub(" ", folded)))
    )  # "me vendes 2 cervezas": an order, though "vendes" asks what is sold
    if _SEARCH.search(folded) and not ordering and not _starts_with_quantity(_strip(folded)):
        phrase = _strip(_SEARCH.sub(" ", folded))
        if phrase and _VAGUE.fullmatch(phrase):
            # "¿tienen algo más barato?": cheaper than what was just shown; "show me more",
            # "anything under 600": more of the last search
            phrase = ""
        place = _PLACE_ONLY.match(phrase)
        if place:  # "is it available in Valencia?": the product at hand, in that place
            return [Intent("details", place=place.group(1).strip())]
        if not phrase and order is None and _POINTING.search(folded):
            return [Intent("details")]  # "is it in stock?"
        return [Intent("search", phrase=phrase, max_price=max_price, order=order)]
    each = _EACH.search(folded)
    if each:  # "2 de cada uno", "one of each": every product just asked about
        quantity, _ = split_quantity(" ".join(_ADD.sub(" ", folded[: each.start()]).split()))
        return [Intent("add", items=(ItemRequest(EACH, quantity),))]
    other = _OTHER_ONE.match(folded)
    if other:  # "what about another fan?": the other fans, not one more of this one
        return [Intent("search", phrase=_strip(other.group(1)), max_price=max_price, order=order)]
    without_verbs = _HOW_MANY_THINGS.sub(" ", _ADD.sub(" ", folded).strip())
    one_more = bool(_ONE_MORE.search(without_verbs))  # "another one", "dame otro"
    without_verbs = _ONE_MORE.sub(" ", without_verbs)
    rest = _strip(without_verbs)
    if (
        _ADD.search(folded)
        or _starts_with_quantity(rest)
        or one_more
        or _lists_amounts(without_verbs)
        or (_AND_ONE.match(folded) and "?" not in text)  # "y una harina pan", in an order
    ):
        items = _items(without_verbs)
        if one_more:
            one = Quantity(Decimal(1), None)
            items = tuple(
                ItemRequest(item.phrase, item.quantity or one, item.order, more=True)
                for item in items
            ) or (ItemRequest("it", one, more=True),)
        if order is not None:
            items = tuple(ItemRequest(item.phrase, item.quantity, order) for item in items) or (
                ItemRequest("", None, order),
            )
        count = _count_alone(without_verbs)
        if not items and count is not None:
            items = (ItemRequest("", count),)  # "I'll take one", "dame 2": of the one at hand
        if not items and _POINTING.search(folded):
            items = (ItemRequest("it"),)  # "add it", "agrégalo", "I'd like that one"
        if items:
            return [Intent("add", items=items)]
    closing = _GOODBYE.sub(" ", _THANKS.sub(" ", folded))
    if (_THANKS.search(folded) or _GOODBYE.search(folded)) and not _strip(closing):
        return [Intent("thanks", farewell=_GOODBYE.search(folded) is not None)]
    stripped = _strip_filler(folded)
    quantity, remainder = split_quantity(stripped)
    if (
        quantity is not None
        and not _strip(remainder)
        and (_POINTING.search(folded) or quantity.unit is not None or _count_alone(stripped))
    ):  # "two of those", "medio kilo", "3 please": an amount of the product at hand
        return [Intent("add", items=(ItemRequest("", quantity),))]
    if rest and _VAGUE.fullmatch(rest):  # "anything cheaper?", "something under 600"
        return [Intent("search", max_price=max_price, order=order)]
    if not rest:
        if order is not None:  # "the cheapest?", "¿el más barato?": of what was shown
            return [Intent("details", order=order)]
        return [Intent("greeting")] if _GREETING.search(folded) else [Intent("unknown")]
    return [Intent("search", phrase=rest, max_price=max_price, order=order)]


def _price_order(folded: str) -> tuple[str, PriceOrder | None]:
    """Take "cheapest" / "más barato" (or "most expensive") out of a message."""
    for pattern, order in ((_PRICIEST, "price_high"), (_CHEAPEST, "price_low")):
        if pattern.search(folded):
            return pattern.sub(" ", folded), cast(PriceOrder, order)
    return folded, None


def _max_price(folded: str) -> tuple[str, Decimal | None]:
    """Take "under 200" / "menos de 200" (or "around 500 dollars", with a margin) out of a
    search, as a price ceiling."""
    match = _PRICE_CEILING.search(folded)
    if match:  # with the word that led to it ("algo por menos de 30", "a phone for under 200")
        before = _LEADING_TO_PRICE.sub("", folded[: match.start()])
        return before + " " + folded[match.end() :], Decimal(match.group(1))
    match = _PRICE_AROUND.search(folded)
    if match:
        budget = (Decimal(match.group(1)) * _AROUND_MARGIN).quantize(Decimal(1))
        return folded[: match.start()] + " " + folded[match.end() :], budget
    return folded, None


_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|uno|una|dos|tres|cuatro|"
    "cinco|seis|siete|ocho|nueve|diez|doce|docena|dozen|half|medio|media"
)
_COUNT = re.compile(r"(?:\d|(?:" + _NUMBER_WORDS + r")\b)")
_ADD_AFTER_REMOVE = re.compile(r"\b(?:instead|en\s+vez|but\s+add|pero\s+agrega)\b")


def request_after_no(intent: Intent) -> Intent | None:
    """What a "no" asks for besides, if anything: "no, I want the LG", "no wait, add 6
    eggs" (not "no, thanks")."""
    if intent.kind != "no" or not intent.phrase:
        return None
    after = parse_message(intent.phrase)[0]
    return None if after.kind in ("no", "thanks", "unknown") else after


def thanks_in(text: str) -> bool:
    """ "thanks, bye!": a goodbye that also thanks, to be answered "you're welcome"."""
    return _THANKS.search(_fold_keep_numbers(text)) is not None


def asks_to_judge(text: str) -> bool:
    """ "Which has the best camera?", "¿cuál es mejor?": a judgement the catalog's facts
    do not make, as opposed to "which is lighter?"."""
    return _JUDGEMENT.search(_fold_keep_numbers(text)) is not None


_JUDGEMENT = _rx(r"best", r"better", r"mejor(?:es)?", r"recommend\w*", r"recomiend\w*")


def is_only_greeting(text: str) -> bool:
    """True for "hi", "buenas tardes", "hello there!": nothing asked yet."""
    return parse_message(text)[0].kind in ("greeting", "thanks")


def _fold_keep_numbers(text: str) -> str:
    """Lower-case and accent-free, keeping decimals, apostrophes, '#' and hyphens in codes."""
    text = decimal_fractions(unaccented(text.replace("’", "'")))
    text = re.sub(r"(\d),(\d)", r"\1.\2", text)
    text = re.sub(r"(\d)\s*(kg|kgs|g|gr|lb|lbs|l)\b", r"\1 \2", text)
    text = re.sub(r"[^a-z0-9'#.,;\-]+", " ", text)
    text = re.sub(r"\s*([,;])\s*", r" \1 ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    return " ".join(text.split())


def _strip(text: str) -> str:
    """Drop greetings, filler and function words, keeping the words that name things."""
    text = _GREETING.sub(" ", text)
    text = _FILLER.sub(" ", text)
    text = _FUNCTION_WORDS.sub(" ", text)
    # "what's the warranty": the "'s" names nothing
    words = [word for word in text.split() if word not in (",", ";") and word[0] != "'"]
    while words and words[0] in _LEADING:
        words.pop(0)
    return " ".join(words).strip(" .,;?!-")


def _bare(text: str) -> str:
    """Without greetings and filler, keeping pronouns."""
    return " ".join(_FILLER.sub(" ", _GREETING.sub(" ", text)).split())


def _strip_filler(text: str) -> str:
    """Like `_strip`, but keeps articles that are quantities ("a dozen", "un par")."""
    text = _GREETING.sub(" ", text)
    text = _FILLER.sub(" ", text)
    text = _FUNCTION_WORDS.sub(" ", text)
    return " ".join(text.split()).strip(" .,;?!-")


def _only_yes(folded: str) -> bool:
    """A yes with nothing else asked: "yes", "yes that's right", "sí, claro, confirmo"."""
    return not _strip(_after_yes(folded))


def _after_yes(folded: str) -> str:
    """What follows the yes words a message starts with."""
    rest = folded
    while True:
        match = _YES.match(rest)
        if not match:
            return rest
        rest = rest[match.end() :].strip(" ,.!")


def _starts_with_quantity(text: str) -> bool:
    """ "2 apples", "a dozen eggs", "dos kilos de arroz" — but not "a blender"."""
    quantity, rest = split_quantity(text)
    if quantity is None or not _NAMES_SOMETHING.search(rest):
        return False
    return quantity.unit is not None or not text.startswith(("a ", "an ", "un ", "una "))


_AND_ONE = re.compile(r"^(?:y|tambien)\s+(?:un|una)\s+[a-z]")
"""One more thing said on its own, the way an order is dictated ("y una harina pan"): one
of it. ("And a case for it" asks which cases there are.)"""
_NAMES_SOMETHING = re.compile(r"[a-z]")
"""A product is named with letters: "7 7" (what is left of "{{7*7}}") names nothing."""
_TARGET_QUANTITY = re.compile(r"^(.*?)\s+(?:to|a|por|en)\s+(\S+(?:\s+\S+)?)$")
_TRAILING_QUANTITY = re.compile(r"^(.*?)\s+(\S+(?:\s+\S+)?)$")


def _items(text: str, *, trailing: bool = False) -> tuple[ItemRequest, ...]:
    """Item requests of a list; with `trailing`, a quantity may also close a fragment
    ("make the apples 3 kg"), as changes are often phrased."""
    items = []
    for fragment in _SPLIT.split(text):
        pattern = _TRAILING_QUANTITY if trailing else _TARGET_QUANTITY
        target = _TARGET_QUANTITY.match(_strip_filler(fragment)) or (
            pattern.match(_strip_filler(fragment))
        )
        if target:  # "change the oil to 2", "cambia la leche a 3"
            quantity, rest = split_quantity(target.group(2))
            if quantity is not None and not rest:
                items.append(ItemRequest(phrase=_strip(target.group(1)), quantity=quantity))
                continue
        quantity, phrase = split_quantity(_strip_filler(fragment))
        phrase = _strip(phrase)
        if not phrase and quantity is None and _POINTING_ALONE.fullmatch(_bare(fragment)):
            items.append(ItemRequest("it"))  # "add it and a 32 inch Samsung"
            continue
        if (not phrase and quantity is None) or (phrase and not _NAMES_SOMETHING.search(phrase)):
            continue  # "{{7*7}}" asks for nothing
        if quantity is None and (_NO.fullmatch(phrase) or _YES.fullmatch(phrase)):
            continue  # "no wait, add a carton of 30": the "no" is not an item
        if quantity is not None and _MORE.fullmatch(phrase):  # "2 more", "dos más"
            items.append(ItemRequest(phrase="", quantity=quantity, more=True))
            continue
        trailing_amount = not phrase or _CONTAINER.fullmatch(phrase)
        if quantity is not None and trailing_amount and items and items[-1].phrase:
            if items[-1].quantity is None:  # "whole milk, 2 cartons", "el blanco, medio kilo"
                items[-1] = replace(items[-1], quantity=quantity)
            continue
        items.append(ItemRequest(phrase=phrase, quantity=quantity))
    return tuple(items)


_MOST_COUNTED = 1000
"""A bare number above this is not an amount someone asks for ("04141234567")."""


def _count_alone(text: str) -> Quantity | None:
    """ "one", "2", "dos por favor": an amount that names no product (the one at hand)."""
    counted = " ".join(text.split())
    quantity, remainder = split_quantity(counted)
    if quantity is None or not _COUNT.match(counted) or _strip(remainder):
        return None
    return quantity if quantity.amount <= _MOST_COUNTED else None  # not a phone number


def _lists_amounts(text: str) -> bool:
    """A list where an item comes with an amount ("un cartón de huevos y 2 litros de
    leche"), or a list of short names ("apples, milk and bread"), is an order even without
    a verb."""
    fragments = [f for f in (_strip_filler(f) for f in _SPLIT.split(text)) if f]
    if len(fragments) < 2:
        return False
    return any(_starts_with_quantity(f) for f in fragments) or all(
        len(f.split()) <= 3 and _names_a_product(f) for f in fragments
    )


def _names_a_product(fragment: str) -> bool:
    """Words left that could name a product: not "gracias", "chao", "yes", "no"."""
    named = _strip(_GOODBYE.sub(" ", _THANKS.sub(" ", fragment)))
    return bool(named) and not _YES.match(named) and not _NO.match(named)


def _order_number(folded: str, written: str = "") -> str | None:
    """ "A-1234", "#20251", or, next to the word "order", a code as the store writes them
    ("KVBUGT", "6ZLWMG": six capitals and digits) in the message as `written`."""
    match = _ORDER_NUMBER.search(folded)
    if match:
        return match.group(1).upper()
    code = _WRITTEN_ORDER_NUMBER.search(written)
    return code.group(0).upper() if code else None
