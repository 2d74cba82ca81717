"""The offline model's reading of shoppers' messages, in English and Spanish."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agent.language import Language, detect_language
from agent.offline.intents import asks_to_judge, parse_message
from agent.offline.quantities import Quantity, split_quantity


@pytest.mark.parametrize(
    ("text", "amount", "unit", "rest"),
    [
        ("2 kg of red apples", "2", "kg", "red apples"),
        ("dos kilos de manzanas", "2", "kg", "manzanas"),
        ("a dozen eggs", "1", "dozen", "eggs"),
        ("media docena de huevos", "0.5", "dozen", "huevos"),
        ("3 cans of tuna", "3", "unit", "tuna"),
        ("un par de audífonos", "2", None, "audifonos"),
        ("1,5 kg de queso", "1.5", "kg", "queso"),
        ("2.5kg cheese", "2.5", "kg", "cheese"),
        ("a pack of spaghetti", "1", "pack", "spaghetti"),
        ("2 paquetes de arroz", "2", "pack", "arroz"),
        ("1 and a half kilos of onions", "1.5", "kg", "onions"),
        ("kilo y medio de tomate", "1.5", "kg", "tomate"),
        ("a couple of bananas", "2", None, "bananas"),
        ("tres latas de atún", "3", "unit", "atun"),
        ("half a kilo of cheese", "0.5", "kg", "cheese"),
        ("half a dozen eggs", "0.5", "dozen", "eggs"),
        ("1/2 kg de queso", "0.5", "kg", "queso"),
        ("3/4 kilo de jamón", "0.75", "kg", "jamon"),
    ],
)
def test_quantities_and_units_are_split_off_the_product(
    text: str, amount: str, unit: str | None, rest: str
) -> None:
    quantity, phrase = split_quantity(text)
    assert quantity is not None
    assert quantity.amount == Decimal(amount)
    assert quantity.unit == unit
    assert phrase == rest


def test_a_phrase_without_quantity_has_none() -> None:
    assert split_quantity("red apples") == (None, "red apples")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Hola", "greeting"),
        ("Buenas tardes", "greeting"),
        ("wenas", "greeting"),
        ("hello!", "greeting"),
        ("gracias", "thanks"),
        ("quiero hablar con un asesor por favor", "human"),
        ("talk to a human", "human"),
        ("can I speak to someone?", "human"),
        ("necesito hablar con una persona", "human"),
        ("Hola, ¿tienen arroz?", "search"),
        ("hello, do you have a standing fan?", "search"),
        ("what about a blender?", "search"),
        ("¿hay televisores Samsung?", "search"),
        ("¿Cuánto cuesta el Samsung?", "details"),
        ("how much is the LG TV?", "details"),
        ("precio del arroz", "details"),
        ("Hi, I'd like 2 kg of red apples", "add"),
        ("and a dozen eggs please", "add"),
        ("quiero 3 leches y 2 paquetes de arroz", "add"),
        ("dame dos kilos de cebolla", "add"),
        ("actually remove the eggs", "remove"),
        ("quita los huevos", "remove"),
        ("mejor que sean 2 leches", "update"),
        ("make it 2", "update"),
        ("me equivoqué, eran 2", "update"),
        ("perdón, son 3", "update"),
        ("son 2 kilos de arroz", "add"),
        ("can you deliver 2 bags of rice", "add"),
        ("could you bring me some milk", "add"),
        ("llévame una nevera a mi casa", "add"),
        ("can you deliver it?", "store_info"),
        ("ok gracias, luego confirmo", "thanks"),
        ("half a kilo", "add"),
        ("thanks, I'll confirm later", "thanks"),
        ("what's in my cart?", "view_cart"),
        ("¿qué tengo en el carrito?", "view_cart"),
        ("what's the total?", "view_cart"),
        ("cuánto es todo", "view_cart"),
        ("how much is everything?", "view_cart"),
        ("that's all, I want to checkout", "checkout"),
        ("listo, quiero confirmar el pedido", "checkout"),
        ("yes", "yes"),
        ("sí", "yes"),
        ("yes that's right", "yes"),
        ("no", "no"),
        ("¿cuál es el estado de mi pedido?", "order_status"),
        ("where is my order?", "order_status"),
        ("quiero cancelar mi pedido", "cancel_order"),
        ("cancel order A-1234", "cancel_order"),
        ("cuánto llevo?", "view_cart"),
        ("¿qué llevo?", "view_cart"),
        ("add it", "add"),
        ("agrégalo", "add"),
        ("me lo llevo", "add"),
        ("I'd like that one", "add"),
        ("quiero pagar", "checkout"),
        ("how much is shipping?", "store_info"),
        ("do you deliver?", "store_info"),
        ("can you deliver tomorrow?", "store_info"),
        ("when can you deliver?", "store_info"),
        ("¿hacen delivery?", "store_info"),
        ("¿tienen envío a domicilio?", "store_info"),
        ("can I pay with card?", "store_info"),
        ("¿aceptan pago móvil?", "store_info"),
        ("a qué hora abren?", "store_info"),
        ("what time do you close?", "store_info"),
        ("I want to return an item", "store_info"),
        ("what do I owe you?", "view_cart"),
        ("¿cuánto te debo?", "view_cart"),
        ("gracias, chao", "thanks"),
        ("thanks, bye!", "thanks"),
        ("otra vez hola", "greeting"),
        ("sí, está correcto", "yes"),
        ("yes, that is correct", "yes"),
        ("no thanks", "no"),
        ("nada más", "checkout"),
        ("nothing else", "checkout"),
        ("yes, the first one", "add"),
        ("sí, dame 2", "add"),
        ("agente por favor", "human"),
        ("human", "human"),
        ("my order hasn't arrived and I'm upset", "human"),
        ("mi pedido no llegó, quiero poner una queja", "human"),
        ("help", "help"),
        ("¿qué puedes hacer?", "help"),
        ("when will my order arrive?", "order_status"),
        ("I want to cancel", "cancel_order"),
        ("cancel it", "cancel_order"),
        ("cancélalo", "cancel_order"),
        ("cancel the milk", "remove"),
        ("noise cancelling headphones", "search"),
        ("what did I order?", "order_status"),
        ("¿qué pedí?", "order_status"),
        ("ok, hagamos el pedido", "checkout"),
        ("I'm done", "checkout"),
        ("does it have 16gb ram?", "details"),
        ("are they wireless?", "details"),
        ("is it in stock?", "details"),
        ("¿está disponible?", "details"),
        ("ok add it to my cart", "add"),
        ("agrégalo al carrito", "add"),
        ("what's the difference between them?", "compare"),
        ("¿cuál es la diferencia?", "compare"),
        ("which one is better?", "compare"),
        ("compare the LG and the Samsung", "compare"),
    ],
)
def test_intents_in_both_languages(text: str, kind: str) -> None:
    assert parse_message(text)[0].kind == kind


def test_several_items_in_one_message_keep_their_quantities() -> None:
    intent = parse_message("2 avocados, 1 kg of cheese and a pack of spaghetti")[0]
    assert intent.kind == "add"
    got = [(i.phrase, i.quantity.amount if i.quantity else None) for i in intent.items]
    assert got == [("avocados", 2), ("cheese", 1), ("spaghetti", 1)]


@pytest.mark.parametrize(
    ("text", "phrase", "amount"),
    [
        ("can you deliver 2 bags of rice", "rice", 2),
        ("can you deliver a fridge to my house?", "fridge", 1),
        ("mándame 2 kilos de arroz a mi casa", "arroz", 2),
    ],
)
def test_asking_to_have_something_delivered_orders_it(text: str, phrase: str, amount: int) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "add"
    got = [(i.phrase, i.quantity.amount if i.quantity else None) for i in intent.items]
    assert got == [(phrase, amount)]


def test_search_phrases_drop_filler_and_keep_product_words() -> None:
    assert parse_message("Hola, ¿tienen televisores de 32 pulgadas?")[0].phrase == (
        "televisores de 32 pulgadas"
    )
    assert parse_message("hello, do you have a standing fan?")[0].phrase == "standing fan"


def test_a_price_ceiling_becomes_a_filter() -> None:
    intent = parse_message("show me phones under 200")[0]
    assert (intent.kind, intent.phrase, intent.max_price) == ("search", "phones", Decimal(200))


def test_an_item_code_is_searched_as_written() -> None:
    assert parse_message("EL-TV-SAM-32")[0].phrase == "EL-TV-SAM-32"


@pytest.mark.parametrize(
    ("text", "phrase", "amount"),
    [
        ("change the oil to 2", "oil", 2),
        ("cambia la leche a 3", "leche", 3),
        ("make the apples 3 kg", "apples", 3),
        ("actually give me 2", "", 2),
    ],
)
def test_changes_name_the_product_and_the_new_quantity(text: str, phrase: str, amount: int) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "update"
    assert intent.items[0].phrase == phrase
    assert intent.items[0].quantity is not None
    assert intent.items[0].quantity.amount == amount


def test_an_item_code_with_a_quantity_is_an_add() -> None:
    intent = parse_message("I want 2 GR-APPLE")[0]
    assert intent.kind == "add"
    assert intent.items[0].quantity is not None
    assert intent.items[0].quantity.amount == 2


def test_yes_followed_by_a_request_is_not_a_plain_yes() -> None:
    assert parse_message("ok then give me the 3")[0].kind == "add"


@pytest.mark.parametrize("text", ["{{7*7}}", "2 7", "3 * 4 = 12", "add 3 of 42", "1+1"])
def test_numbers_and_symbols_alone_never_add_anything(text: str) -> None:
    intents = parse_message(text)
    assert all(intent.kind != "add" for intent in intents), intents


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("what rice do you have?", "rice"),
        ("¿qué arroz tienen?", "arroz"),
        ("what kinds of cheese do you have", "cheese"),
        ("what brands of coffee do you sell?", "coffee"),
    ],
)
def test_asking_what_there_is_of_something_searches_for_it(text: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == ("search", phrase)


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "order"),
    [
        ("hey, looking for a cheap phone", "search", "phone", "price_low"),
        ("¿cuál es el más barato de los televisores?", "search", "televisores", "price_low"),
        ("show me your most expensive TVs", "search", "tvs", "price_high"),
        ("how much is the cheapest one?", "details", "", "price_low"),
        ("¿el más barato?", "details", "", "price_low"),
    ],
)
def test_price_words_order_what_is_shown(text: str, kind: str, phrase: str, order: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.order) == (kind, phrase, order)


def test_the_cheapest_of_something_is_added_by_price() -> None:
    intent = parse_message("add a pack of the cheapest coffee")[0]
    assert intent.kind == "add"
    (item,) = intent.items
    assert (item.phrase, item.order) == ("coffee", "price_low")
    assert item.quantity is not None
    assert (item.quantity.amount, item.quantity.unit) == (1, "pack")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("is it available in Valencia?", "valencia"),
        ("¿lo tienen disponible en Maracay?", "maracay"),
    ],
)
def test_availability_of_the_product_at_hand_in_a_place(text: str, place: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.place) == ("details", "", place)


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "amount"),
    [
        ("can you remove it?", "remove", "it", None),
        ("quítalo", "remove", "it", None),
        ("two of those please", "add", "", 2),
        ("add another one", "add", "it", 1),
        ("dame otro", "add", "it", 1),
        ("I want another TV", "add", "tv", 1),
        ("oops, make the apples 2 kilos", "update", "apples", 2),
    ],
)
def test_pointing_at_a_product_with_or_without_a_quantity(
    text: str, kind: str, phrase: str, amount: int | None
) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == kind
    (item,) = intent.items
    assert item.phrase == phrase
    assert (item.quantity.amount if item.quantity else None) == amount


@pytest.mark.parametrize(
    ("text", "current", "language"),
    [
        ("ok me llevo la entera", "en", "es"),
        ("give me two", "es", "en"),
        ("ok", "es", "es"),
        ("ok", "en", "en"),
    ],
)
def test_words_both_languages_use_do_not_decide_the_language(
    text: str, current: Language, language: str
) -> None:
    assert detect_language(text, current) == language


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "order"),
    [
        ("tienen pañales?", "search", "pañales", None),
        ("cuánto vale el kilo de queso blanco?", "details", "queso blanco", None),
        ("how many do you have?", "details", "", None),
        ("¿cuántos quedan?", "details", "", None),
        ("anything cheaper?", "search", "", "price_low"),
        ("¿tienen algo más barato?", "search", "", "price_low"),
        ("something more expensive?", "search", "", "price_high"),
    ],
)
def test_what_is_asked_keeps_the_customers_spelling_and_drops_units(
    text: str, kind: str, phrase: str, order: str | None
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.order) == (kind, phrase, order)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("quita uno", 1),
        ("remove one", 1),
        ("take one off", 1),
        ("saca 2 por favor", 2),
    ],
)
def test_a_number_alone_removes_that_many_of_the_product_at_hand(text: str, amount: int) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "remove"
    (item,) = intent.items
    assert (item.phrase, item.quantity and item.quantity.amount) == ("", amount)


def test_taking_a_named_product_out_of_the_cart_removes_it() -> None:
    intent = parse_message("take the milk out of my cart")[0]
    assert (intent.kind, [item.phrase for item in intent.items]) == ("remove", ["milk"])


@pytest.mark.parametrize(
    ("text", "phrase", "amount", "more"),
    [
        ("add 2 more", "", 2, True),
        ("dame 2 más", "", 2, True),
        ("give me another", "it", 1, True),
        ("ponme dos paquetes", "", 2, False),
        ("give me 2", "", 2, False),
    ],
)
def test_more_is_on_top_of_the_cart_and_a_bare_amount_is_what_to_end_up_with(
    text: str, phrase: str, amount: int, more: bool
) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "add"
    (item,) = intent.items
    assert (item.phrase, item.quantity and item.quantity.amount, item.more) == (
        phrase,
        amount,
        more,
    )


@pytest.mark.parametrize(
    ("text", "phrase", "max_price"),
    [
        ("which ones are wireless?", "wireless", None),
        ("¿cuáles son inalámbricos?", "inalámbricos", None),
        ("and in black?", "in black", None),
        ("¿y en rojo?", "en rojo", None),
        ("any in red?", "in red", None),
        ("which ones have 16gb under 900", "16gb", Decimal(900)),
    ],
)
def test_narrowing_the_last_search(text: str, phrase: str, max_price: Decimal | None) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.refines, intent.max_price) == (
        "search",
        phrase,
        True,
        max_price,
    )


@pytest.mark.parametrize(
    ("text", "max_price"),
    [
        ("show me more", None),
        ("¿más opciones?", None),
        ("something else?", None),
        ("what about something under 600", Decimal(600)),
        ("¿algo por debajo de 300?", Decimal(300)),
        ("and under 600?", Decimal(600)),
        ("¿algo por menos de 30?", Decimal(30)),
        ("¿y por debajo de 600?", Decimal(600)),
    ],
)
def test_more_of_the_last_search(text: str, max_price: Decimal | None) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.refines, intent.order, intent.max_price) == (
        "search",
        "",
        False,
        None,
        max_price,
    )


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("i need a new laptop for school, nothing too expensive", "laptop"),
        ("busco una licuadora que no sea tan cara", "licuadora"),
        ("an affordable phone", "phone"),
    ],
)
def test_nothing_too_expensive_browses_from_the_cheapest(text: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.order) == ("search", phrase, "price_low")


def test_a_list_where_one_item_has_an_amount_is_an_order_without_a_verb() -> None:
    intent = parse_message("un cartón de huevos y 2 litros de leche")[0]
    assert intent.kind == "add"
    assert [
        (i.phrase, i.quantity and (i.quantity.amount, i.quantity.unit)) for i in intent.items
    ] == [
        ("cartón de huevos", (1, None)),
        ("leche", (2, "l")),
    ]


@pytest.mark.parametrize(
    "text", ["how many do you have in stock?", "¿cuántos quedan disponibles?", "how many are left?"]
)
def test_stock_questions_ask_about_the_product_at_hand(text: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == ("details", "")


@pytest.mark.parametrize(
    "text",
    [
        "buenas, quiero hacer un pedido",
        "I want to place an order",
        "i want to order",
        "quiero pedir",
        "ya está",
        "eso sería todo",
    ],
)
def test_starting_or_closing_an_order_without_items_goes_to_checkout(text: str) -> None:
    assert parse_message(text)[0].kind == "checkout"


@pytest.mark.parametrize(
    ("text", "phrase", "amount", "unit"),
    [
        ("I want to order 2 apples", "apples", 2, None),
        ("quiero pedir 2 kilos de arroz", "arroz", 2, "kg"),
        ("ok I'll take one", "", 1, None),
        ("medio kilo", "", Decimal("0.5"), "kg"),
        ("3 paquetes por favor", "", 3, "pack"),
    ],
)
def test_orders_and_amounts_of_the_product_at_hand(
    text: str, phrase: str, amount: Decimal, unit: str | None
) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "add"
    (item,) = intent.items
    assert item.quantity is not None
    assert (item.phrase, item.quantity.amount, item.quantity.unit) == (phrase, amount, unit)


def test_changing_ones_mind_is_not_part_of_what_is_removed() -> None:
    intent = parse_message("I changed my mind, remove the phone")[0]
    assert (intent.kind, [item.phrase for item in intent.items]) == ("remove", ["phone"])


@pytest.mark.parametrize("text", ["does it come in red?", "¿viene en rojo?"])
def test_asking_whether_the_product_at_hand_comes_in_a_colour(text: str) -> None:
    assert (parse_message(text)[0].kind, parse_message(text)[0].phrase) == ("details", "")


@pytest.mark.parametrize(
    ("text", "amount"),
    [("agrega 2 de cada uno", 2), ("one of each please", 1), ("give me 3 of each", 3)],
)
def test_some_of_each_product_asked_about(text: str, amount: int) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "add"
    (item,) = intent.items
    assert (item.phrase, item.quantity and item.quantity.amount) == ("each", amount)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("mejor 3 de cada uno", 3),
        ("mejor que sean 2 de cada una", 2),
        ("make it 3 of each", 3),
        ("actually 2 of each", 2),
        ("better 4 of each", 4),
    ],
)
def test_changing_how_many_of_each(text: str, amount: int) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "update"
    (item,) = intent.items
    assert (item.phrase, item.quantity and item.quantity.amount) == ("each", amount)


@pytest.mark.parametrize(
    "text",
    [
        "vacía el carrito",
        "empty my cart",
        "borra todo",
        "remove everything",
        "start over",
        "cancela todo",
    ],
)
def test_emptying_the_cart(text: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == ("remove", "everything")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("the 55 inch one", "55 inch"),
        ("un televisor de 55 pulgadas", "televisor de 55 pulgadas"),
        ("do you have a 128 GB phone?", "128 gb phone"),
    ],
)
def test_a_size_is_part_of_the_name_not_an_amount(text: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == ("search", phrase)


@pytest.mark.parametrize(
    "text", ["what's the warranty?", "do you have any offers or discounts?", "¿tienen ofertas?"]
)
def test_offers_and_warranties_are_for_a_person(text: str) -> None:
    assert parse_message(text)[0].kind == "store_info"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [("¿cuánto sale el arroz?", "arroz"), ("cuanto salen los tomates", "tomates")],
)
def test_how_much_does_it_come_to(text: str, phrase: str) -> None:
    assert (parse_message(text)[0].kind, parse_message(text)[0].phrase) == ("details", phrase)


def test_pointing_in_a_list_of_items_is_an_item() -> None:
    intent = parse_message("ok add it and also a 32 inch samsung")[0]
    assert intent.kind == "add"
    assert [item.phrase for item in intent.items] == ["it", "32 inch samsung"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("epa buenas", "greeting"),
        ("mandame 4", "add"),
        ("regálame 2 harinas", "add"),
        ("cool, ill take it", "add"),
        ("genial gracias", "thanks"),
        ("actually no, dont cancel", "no"),
        ("no lo canceles", "no"),
    ],
)
def test_everyday_words(text: str, kind: str) -> None:
    assert parse_message(text)[0].kind == kind


def test_cool_is_not_part_of_what_is_taken() -> None:
    (item,) = parse_message("cool, ill take it")[0].items
    assert item.phrase == "it"


@pytest.mark.parametrize(
    ("text", "kind", "phrase"),
    [
        ("¿cuántos productos tengo?", "view_cart", ""),
        ("how many items do I have", "view_cart", ""),
        ("quiero cambiar el detergente por otro", "search", "detergente"),
        ("swap the soap for another one", "search", "soap"),
        ("cambia la leche a 3", "update", ""),
    ],
)
def test_the_cart_count_and_swapping_for_another_product(text: str, kind: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)


def test_a_loaf_is_one_of_the_product() -> None:
    intent = parse_message("and a loaf of bread")[0]
    assert intent.kind == "add"
    (item,) = intent.items
    assert item.quantity is not None
    assert (item.phrase, item.quantity.amount) == ("bread", 1)


@pytest.mark.parametrize(
    ("text", "kind", "phrases"),
    [
        ("ok no cheese then", "no", []),
        ("necesito 3 cosas: arroz, aceite y sal", "add", ["arroz", "aceite", "sal"]),
        ("hola, necesito 3 cosas: arroz, aceite y sal", "add", ["arroz", "aceite", "sal"]),
        ("I need 2 things, milk and eggs", "add", ["milk", "eggs"]),
        ("¿cuándo llega?", "order_status", []),
        ("when will it arrive?", "order_status", []),
        ("when do you deliver?", "store_info", []),
    ],
)
def test_declining_counting_what_is_needed_and_asking_when_it_comes(
    text: str, kind: str, phrases: list[str]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, [item.phrase for item in intent.items]) == (kind, phrases)


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "phrases"),
    [
        ("tienes cafe?", "search", "cafe", []),
        ("¿vendes pañales?", "search", "pañales", []),
        ("donde consigo azucar", "search", "azucar", []),
        ("me das 2 xfa", "add", "", [""]),
        ("y azucar tmb", "search", "azucar", []),
        ("sip", "yes", "", []),
        ("which is lighter?", "compare", "", []),
        ("I'll go with the lenovo", "add", "", ["lenovo"]),
        ("me quedo con la lenovo", "add", "", ["lenovo"]),
    ],
)
def test_chat_spellings_and_choosing_words(
    text: str, kind: str, phrase: str, phrases: list[str]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, [item.phrase for item in intent.items]) == (
        kind,
        phrase,
        phrases,
    )


@pytest.mark.parametrize(("text", "language"), [("holaa", "es"), ("holis", "es"), ("hiii", "en")])
def test_stretched_greetings_keep_their_language(text: str, language: str) -> None:
    assert detect_language(text, "en" if language == "es" else "es") == language


@pytest.mark.parametrize(
    ("text", "kind", "phrases"),
    [
        ("Hi, I'd like to buy some groceries", "greeting", []),
        ("quiero hacer el mercado", "greeting", []),
        ("apples, milk and bread", "add", ["apples", "milk", "bread"]),
        ("the first and the second", "add", ["first", "second"]),
        ("gracias, chao", "thanks", []),
        ("tienen leche y huevos?", "search", []),
    ],
)
def test_wanting_to_shop_and_shopping_lists(text: str, kind: str, phrases: list[str]) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, [item.phrase for item in intent.items]) == (kind, phrases)


def test_an_amount_of_containers_goes_to_the_item_before_it() -> None:
    (item,) = parse_message("whole milk, 2 cartons")[0].items
    assert item.quantity is not None
    assert (item.phrase, item.quantity.amount) == ("whole milk", 2)


def test_how_much_would_it_be() -> None:
    assert parse_message("¿cuánto sería?")[0].kind == "details"


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "items"),
    [
        ("hola, soy nueva", "greeting", "", []),
        ("hi, first time here", "greeting", "", []),
        ("qué me recomiendas para el desayuno?", "search", "desayuno", []),
        ("el blanco duro, medio kilo", "add", "", [("blanco duro", Decimal("0.5"), "kg")]),
    ],
)
def test_newcomers_recommendations_and_an_amount_after_the_name(
    text: str, kind: str, phrase: str, items: list[tuple[str, Decimal, str]]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)
    assert [
        (i.phrase, i.quantity.amount, i.quantity.unit) for i in intent.items if i.quantity
    ] == items


@pytest.mark.parametrize(
    ("text", "size"),
    [("el más grande", "big"), ("the biggest one", "big"), ("la más pequeña", "small")],
)
def test_the_biggest_or_smallest_of_what_was_shown(text: str, size: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.size) == ("details", size)


@pytest.mark.parametrize(
    "text", ["how many kilos of oranges do I have?", "¿cuántos kilos de naranja tengo?"]
)
def test_how_much_of_something_is_in_the_cart(text: str) -> None:
    assert parse_message(text)[0].kind == "view_cart"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("what's the status of order ZZZZZ9?", "ZZZZZ9"),
        ("status of order KVBUGT", "KVBUGT"),
        ("¿cómo va mi pedido 8ASR7Y?", "8ASR7Y"),
        ("cancel order A-1234", "A-1234"),
        ("where is my order?", None),
    ],
)
def test_order_numbers_as_the_store_writes_them(text: str, number: str | None) -> None:
    assert parse_message(text)[0].order_number == number


@pytest.mark.parametrize(
    ("text", "kind", "phrases"),
    [
        ("and a case for it", "search", []),
        ("never mind the case", "remove", ["case"]),
        ("never mind", "no", []),
        ("nevermind, I want the LG", "add", ["lg"]),
        ("olvida el queso", "remove", ["queso"]),
        ("how much will I pay in total", "view_cart", []),
        ("¿cuánto voy a pagar?", "view_cart", []),
    ],
)
def test_never_mind_and_what_it_comes_to(text: str, kind: str, phrases: list[str]) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, [item.phrase for item in intent.items]) == (kind, phrases)


def test_for_it_is_not_part_of_the_product() -> None:
    assert parse_message("and a case for it")[0].phrase == "case"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("buenas noches, necesito comprar unas cosas para la cena", "greeting"),
        ("I need to buy some things for the party", "greeting"),
        ("perfecto, confirmemos", "checkout"),
        ("let's confirm", "checkout"),
        ("sí, confirmo", "yes"),
    ],
)
def test_shopping_for_an_occasion_and_confirming_together(text: str, kind: str) -> None:
    assert parse_message(text)[0].kind == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ok pásame con alguien por favor", "human"),
        ("comunícame con un asesor", "human"),
        ("transfer me to someone", "human"),
        ("¿me lo mandas hoy?", "store_info"),
        ("can I pick it up at the store?", "store_info"),
        ("¿puedo retirarlo en tienda?", "store_info"),
        ("in which stores?", "details"),
        ("¿en qué sucursales lo tienen?", "details"),
        ("where can I find it?", "details"),
    ],
)
def test_being_passed_to_a_person_delivery_pickup_and_branches(text: str, kind: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, "")


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "phrases"),
    [
        ("how big is it?", "details", "", []),
        ("¿cuánto mide?", "details", "", []),
        ("ok I'll buy it", "add", "", ["it"]),
        ("I want to buy rice", "add", "", ["rice"]),
        ("what about another fan?", "search", "fan", []),
        ("¿y otro ventilador?", "search", "ventilador", []),
        ("I want another TV", "add", "", ["tv"]),
        ("ya", "checkout", "", []),
    ],
)
def test_sizes_buying_and_other_ones(text: str, kind: str, phrase: str, phrases: list[str]) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, [item.phrase for item in intent.items]) == (
        kind,
        phrase,
        phrases,
    )


@pytest.mark.parametrize(
    ("text", "kind", "phrase"),
    [
        ("hola, quisiera saber el precio de la licuadora oster", "details", "licuadora oster"),
        ("can you tell me if you have rice?", "search", "rice"),
        ("me puedes decir si hay leche descremada", "search", "leche descremada"),
        ("está bien, así está bien", "yes", ""),
        ("the 500g one", "search", "500 g"),
    ],
)
def test_asking_politely_agreeing_and_a_size_pointing_at_a_product(
    text: str, kind: str, phrase: str
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "items"),
    [
        ("do you guys have milk?", "search", "milk", []),
        ("y'all have eggs?", "search", "eggs", []),
        ("I'd love some coffee", "add", "", [("coffee", None)]),
        ("take 1 away", "remove", "", [("", 1)]),
        ("ahh sorry I meant 2", "update", "", [("", 2)]),
        ("ok then 3", "add", "", [("", 3)]),
        ("2", "add", "", [("", 2)]),
        ("04141234567", "search", "04141234567", []),  # a phone, not an amount
        ("hay disponibilidad de leche?", "search", "leche", []),
        ("qué precio tiene el café?", "details", "café", []),
        ("me das el total?", "view_cart", "", []),
        ("ok add it to my cart", "add", "", [("it", None)]),
    ],
)
def test_more_everyday_ways_to_ask(
    text: str, kind: str, phrase: str, items: list[tuple[str, int | None]]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)
    assert [(i.phrase, i.quantity and i.quantity.amount) for i in intent.items] == items


@pytest.mark.parametrize(
    ("text", "farewell"),
    [
        ("ok I'll think about it, bye", True),
        ("lo voy a pensar", True),
        ("I'll come back later", True),
        ("te escribo luego", True),
        ("gracias, chao", True),
        ("thanks!", False),
        ("muchas gracias", False),
    ],
)
def test_goodbyes_are_thanks_that_close_the_visit(text: str, farewell: bool) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.farewell) == ("thanks", farewell)


@pytest.mark.parametrize(
    ("text", "phrase", "judging"),
    [
        ("which one has the best camera?", "camera", True),
        ("¿cuál tiene mejor cámara?", "cámara", True),
        ("what's the best one?", "", True),
        ("cuál es el mejor?", "", True),
        ("which is lighter?", "", False),
    ],
)
def test_which_is_best_weighs_what_was_shown(text: str, phrase: str, judging: bool) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == ("compare", phrase)
    assert asks_to_judge(text) is judging


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "items"),
    [
        ("never mind the case", "remove", "", ["case"]),
        ("ok never mind, what laptops do you have", "search", "laptops", []),
        ("olvídalo, ¿cuánto cuesta el arroz?", "details", "arroz", []),
        ("forget it, do you have tvs?", "search", "tvs", []),
    ],
)
def test_never_mind_a_product_takes_it_off_but_never_mind_then_a_question_asks_it(
    text: str, kind: str, phrase: str, items: list[str]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)
    assert [item.phrase for item in intent.items] == items


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "max_price", "items"),
    [
        ("procede con el pedido", "checkout", "", None, []),
        ("proceed to checkout", "checkout", "", None, []),
        ("me faltó la sal", "add", "", None, ["sal"]),
        ("I forgot the salt", "add", "", None, ["salt"]),
        ("a tv for my living room, around 500 dollars", "search", "tv", 575, []),
        ("tienen televisores de unos 300 dólares?", "search", "televisores", 345, []),
    ],
)
def test_proceeding_forgetting_something_and_a_budget(
    text: str, kind: str, phrase: str, max_price: int | None, items: list[str]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.max_price) == (kind, phrase, max_price)
    assert [item.phrase for item in intent.items] == items


@pytest.mark.parametrize(
    ("text", "kind", "size"),
    [
        ("any bigger ones?", "search", "big"),
        ("do you have a bigger one?", "search", "big"),
        ("¿tienen algo más grande?", "search", "big"),
        ("something smaller", "search", "small"),
        ("el más grande", "details", "big"),  # of what was shown
        ("the smallest one", "details", "small"),
    ],
)
def test_bigger_looks_beyond_what_was_shown_and_biggest_picks_among_it(
    text: str, kind: str, size: str
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.size) == (kind, "", size)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("dame 2 kilos y medio", [("", "2.5", "kg")]),
        ("2 kilos y medio de carne y 1 pollo", [("carne", "2.5", "kg"), ("pollo", "1", None)]),
        ("dos y medio kilos de papa", [("papa", "2.5", "kg")]),
        ("1 kg and a half of cheese", [("cheese", "1.5", "kg")]),
        ("arroz y medio kilo de queso", [("arroz", None, None), ("queso", "0.5", "kg")]),
        ("bread and a half kilo of cheese", [("bread", None, None), ("cheese", "0.5", "kg")]),
    ],
)
def test_and_a_half_belongs_to_the_amount_before_it(
    text: str, items: list[tuple[str, str | None, str | None]]
) -> None:
    intent = parse_message(text)[0]
    assert intent.kind == "add"
    assert [
        (i.phrase, i.quantity and str(i.quantity.amount), i.quantity and i.quantity.unit)
        for i in intent.items
    ] == items


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "max_price"),
    [
        ("algo que no pase de 200", "search", "", 200),
        ("total?", "view_cart", "", None),
        ("dale, confirma", "yes", "", None),
        ("¿cuánto pesa el pollo?", "details", "pollo", None),
    ],
)
def test_a_ceiling_the_total_confirming_and_a_weight(
    text: str, kind: str, phrase: str, max_price: int | None
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.max_price) == (kind, phrase, max_price)


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "items"),
    [
        ("yes cancel", "cancel_order", "", []),
        ("buenas, soy cliente nuevo", "greeting", "", []),
        ("I'm a new customer", "greeting", "", []),
        ("can I add something to my order?", "store_info", "change the order", []),
        ("quiero cambiar mi pedido", "store_info", "change the order", []),
        ("add rice to my order", "add", "", ["rice"]),
        ("agrega arroz a mi pedido", "add", "", ["arroz"]),
        ("where is my order", "order_status", "", []),
    ],
)
def test_newcomers_changing_an_order_and_adding_to_it(
    text: str, kind: str, phrase: str, items: list[str]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)
    assert [item.phrase for item in intent.items] == items


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "items"),
    [
        ("no wait, add a carton of 30 eggs too", "add", "", ["carton of 30 eggs"]),
        ("no espera, agrega también un cartón de 30", "add", "", ["cartón de 30"]),
        ("no espera, agrega también 6 huevos", "no", "agrega 6 huevos", []),
    ],
)
def test_a_no_before_a_change_is_not_an_item(
    text: str, kind: str, phrase: str, items: list[str]
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)
    assert [item.phrase for item in intent.items] == items


@pytest.mark.parametrize(
    ("text", "phrase"), [("el de pie", "pie"), ("la de chocolate", "chocolate")]
)
def test_the_one_with_something_narrows_what_was_shown(text: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.refines) == ("search", phrase, True)


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "order"),
    [
        ("too expensive, show me cheaper ones", "search", "", "price_low"),
        ("that's too expensive", "search", "", "price_low"),
        ("está muy caro", "search", "", "price_low"),
        ("the tv is too expensive", "search", "tv", "price_low"),
        ("es muy caro, quiero hablar con alguien", "human", "", None),
    ],
)
def test_too_expensive_asks_for_cheaper_ones(
    text: str, kind: str, phrase: str, order: str | None
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.order) == (kind, phrase, order)


@pytest.mark.parametrize(
    "text",
    ["how much are they?", "what do they cost", "¿cuánto cuestan?", "y esos cuánto valen?"],
)
def test_asking_what_they_cost_names_nothing(text: str) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == ("details", "")


@pytest.mark.parametrize(
    ("text", "phrase", "refines"),
    [
        ("the sony ones", "sony", True),
        ("and the wireless ones?", "wireless", True),
        ("any samsung ones", "samsung", True),
        ("the bigger ones", "", False),
        ("the other ones", "", False),
    ],
)
def test_the_kind_ones_narrow_what_was_shown(text: str, phrase: str, refines: bool) -> None:
    intent = parse_message(text)[0]
    assert (intent.phrase, intent.refines) == (phrase, refines)


@pytest.mark.parametrize(
    ("text", "phrase", "narrows"),
    [
        ("y los inalámbricos?", "inalámbricos", True),
        ("¿y las rojas?", "rojas", True),
        ("y los plátanos", "plátanos", True),
        ("y los otros?", "", False),
        ("los plátanos están maduros?", None, False),
    ],
)
def test_and_the_plural_may_narrow_what_was_shown(
    text: str, phrase: str | None, narrows: bool
) -> None:
    intent = parse_message(text)[0]
    assert intent.narrows_shown is narrows
    if phrase is not None:
        assert intent.phrase == phrase


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("I need a tv for my living room", "tv"),
        ("quiero una nevera para mi casa", "nevera"),
        ("tienen laptops para la universidad?", "laptops"),
        ("a brand new phone for my daughter", "phone"),
        ("do you have good headphones", "headphones"),
        ("a case for my iphone", "case for iphone"),  # what it is for says what it is
    ],
)
def test_whom_or_where_it_is_for_is_not_searched(text: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    named = intent.phrase or " ".join(item.phrase for item in intent.items)
    assert named == phrase


@pytest.mark.parametrize(
    ("text", "kind", "phrase", "place"),
    [
        ("¿y en maracay?", "details", "", "maracay"),
        ("and in valencia?", "details", "", "valencia"),
        ("en el centro?", "details", "", "centro"),
        ("y en rojo?", "search", "en rojo", None),  # a colour narrows the search
        ("a cómo está el kilo de carne?", "details", "carne", None),
        ("leche descremada, a como está?", "details", "leche descremada", None),
        ("do you have something for cleaning the floor?", "search", "cleaning floor", None),
    ],
)
def test_elsewhere_and_what_it_costs(text: str, kind: str, phrase: str, place: str | None) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase, intent.place) == (kind, phrase, place)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("un six pack de cerveza", "1"), ("2 six-packs of beer", "2"), ("a sixpack of beer", "1")],
)
def test_a_six_pack_is_one_pack(text: str, amount: str) -> None:
    (item,) = parse_message(text)[0].items
    assert (item.phrase in ("cerveza", "beer"), item.quantity) == (
        True,
        Quantity(Decimal(amount), "pack"),
    )


@pytest.mark.parametrize(
    ("text", "kind", "phrase"),
    [
        ("what colors?", "details", ""),
        ("¿en qué colores viene?", "details", ""),
        ("la carne molida está bien", "search", "carne molida"),
        ("the blue one is fine", "search", "blue"),
    ],
)
def test_colours_ask_about_it_and_a_fine_is_no_search_word(
    text: str, kind: str, phrase: str
) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.phrase) == (kind, phrase)


@pytest.mark.parametrize(
    ("text", "kind", "phrase"),
    [
        ("whats the diff between the hisense and the tcl", "compare", "hisense tcl"),
        ("actually nvm remove it", "remove", ""),
        ("hola q tal", "greeting", ""),
        ("whats the price of rice", "details", "rice"),
    ],
)
def test_chat_shorthand(text: str, kind: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    named = intent.phrase or " ".join(item.phrase for item in intent.items if item.phrase != "it")
    assert (intent.kind, named) == (kind, phrase)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("repeat my last order", None),
        ("order it again please", None),
        ("the usual", None),
        ("quiero lo mismo de la vez pasada", None),
        ("lo de siempre", None),
        ("quiero repetir mi último pedido", None),
        ("repeat order A1B2C3", "A1B2C3"),
    ],
)
def test_the_same_order_again(text: str, number: str | None) -> None:
    intent = parse_message(text)[0]
    assert (intent.kind, intent.order_number) == ("reorder", number)


@pytest.mark.parametrize(
    ("text", "kind", "phrase"),
    [
        ("me regalas un kilo de queso blanco", "add", "queso blanco"),
        ("y una harina pan", "add", "harina pan"),
        ("una harina pan?", "search", "harina pan"),
        ("can you help me find a gift for my wife", "search", "gift"),
        ("me ayudas a buscar un regalo", "search", "regalo"),
        ("me vendes 2 cervezas", "add", "cervezas"),
        ("¿tienen 2 kilos de arroz?", "search", "2 kilos de arroz"),  # asks, orders nothing
        ("I need help", "help", ""),
        ("necesito ayuda", "help", ""),
    ],
)
def test_venezuelan_orders_and_asking_for_help(text: str, kind: str, phrase: str) -> None:
    intent = parse_message(text)[0]
    named = intent.phrase or " ".join(item.phrase for item in intent.items)
    assert (intent.kind, named) == (kind, phrase)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("do you guys have any rice at the moment?", "rice"),
        ("tienen disponible leche entera hoy?", "leche entera"),
        ("¿tienen pan ahorita?", "pan"),
    ],
)
def test_when_is_not_what(text: str, phrase: str) -> None:
    assert parse_message(text)[0].phrase == phrase
