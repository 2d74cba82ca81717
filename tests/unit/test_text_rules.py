"""Phones, languages, names and addresses as customers write them, and the words of a
query a product lacks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest
from langchain_core.embeddings import Embeddings

from agent.language import detect_language
from agent.names import (
    address_change,
    clean_address,
    corrected_address,
    extract_name,
    name_correction,
    split_name_and_address,
)
from agent.phones import find_phone, mask_phone, normalize_phone
from storage.catalog import CatalogRepository
from storage.models import Product
from storage.text import names_it, naming_terms, query_terms


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("+58 414-555-6677", "VE", "+584145556677"),
        ("0414 555 6677", "VE", "+584145556677"),
        ("+1 (555) 010-0001", "US", "+15550100001"),
        ("0058 414 5556677", "VE", "+584145556677"),
    ],
)
def test_phones_are_normalised_to_e164(raw: str, region: str, e164: str) -> None:
    assert normalize_phone(raw, region) == e164


@pytest.mark.parametrize("raw", ["", "hello", "12", "+99 1", "my phone", "1" * 30])
def test_non_phones_are_refused(raw: str) -> None:
    assert normalize_phone(raw, "VE") is None


def test_a_phone_is_found_inside_a_sentence() -> None:
    assert find_phone("sure, it's +58 414 555 6677 thanks", "VE") == "+584145556677"
    assert find_phone("no tengo", "VE") is None


def test_masked_phones_keep_only_country_and_last_digits() -> None:
    assert mask_phone("+584145556677") == "+58********77"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, ¿tienen arroz?", "es"),
        ("Buenas tardes", "es"),
        ("quiero 3 leches", "es"),
        ("Hi there", "en"),
        ("do you have a standing fan?", "en"),
        ("I'd like 2 kg of red apples", "en"),
    ],
)
def test_language_is_detected_from_words(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_unclear_messages_keep_the_conversation_language() -> None:
    assert detect_language("John Carter", "es") == "es"
    assert detect_language("221B", "en") == "en"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("My name is John Carter", "John Carter"),
        ("me llamo ana pérez", "Ana Pérez"),
        ("Soy Luis", "Luis"),
        ("John Carter", "John Carter"),
        ("I'm Mary-Jane O'Neil", "Mary-Jane O'Neil"),
    ],
)
def test_names_are_extracted(text: str, name: str) -> None:
    assert extract_name(text) == name


@pytest.mark.parametrize("text", ["", "12345", "what?", "a b c d e f g h"])
def test_non_names_are_refused(text: str) -> None:
    assert extract_name(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "necesito un cargador para iphone",
        "remove the oil",
        "lo quiero",
        "cuanto e",
        "bueno, dame un aceite de oliva entonces",
        "bread, eggs and butter",
        "ok how about headphones",
        "the cheapest one please",
        "the sony ones",
        "no, mejor no",
        "confirmo",
        "listo",
        "done",
    ],
)
def test_requests_and_answers_sent_instead_of_a_name_are_not_names(text: str) -> None:
    assert extract_name(text) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("maría de los ángeles", "María de los Ángeles"),
        ("Dale Carnegie", "Dale Carnegie"),
        ("María Oliva", "María Oliva"),  # a surname that is also a product word
        ("John, and you?", "John"),
        ("soy Luis, ¿y tú?", "Luis"),
    ],
)
def test_names_keep_their_particles_and_lose_the_courtesy_after_them(text: str, name: str) -> None:
    assert extract_name(text) == name


def test_addresses_need_a_few_words_with_letters() -> None:
    assert clean_address("221 Baker Street, Springfield") == "221 Baker Street, Springfield"
    assert clean_address("12") is None
    assert clean_address("yes") is None


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("vivo en Av. Bolívar 25, Valencia", "Av. Bolívar 25, Valencia"),
        ("my address is 5 Oak Ave, Boston", "5 Oak Ave, Boston"),
        ("I live at 12 Elm Road, Tryon", "12 Elm Road, Tryon"),
        ("mi dirección es Calle Real 5", "Calle Real 5"),
    ],
)
def test_addresses_lose_the_words_that_introduce_them(text: str, address: str) -> None:
    assert clean_address(text) == address


@pytest.mark.parametrize(
    "text",
    [
        "what phones do you have?",
        "yes correct",
        "no thanks",
        "¿y cuánto cuesta?",
        "actually I only need 2",
        "y unos audífonos bluetooth",  # no number and no street: nowhere to deliver
        "the white bread",
        "Los Palos Grandes, Caracas",
    ],
)
def test_questions_and_answers_are_not_addresses(text: str) -> None:
    assert clean_address(text) is None


@pytest.mark.parametrize(
    "text", ["Urb. El Paraíso, Caracas", "Edificio Sol, piso 3", "Sector La Pastora, Caracas"]
)
def test_an_address_without_a_number_names_a_street_or_building(text: str) -> None:
    assert clean_address(text) == text


def test_a_name_and_an_address_in_one_message_are_both_taken() -> None:
    assert split_name_and_address("I'm John Smith, 5 Oak Ave, Boston") == (
        "John Smith",
        "5 Oak Ave, Boston",
    )
    assert split_name_and_address("soy Ana Pérez") == ("Ana Pérez", None)
    assert split_name_and_address("John, and you?") == ("John", None)


@pytest.mark.parametrize(
    ("name", "brand", "query", "named"),
    [
        ("Tomates", "Campo Verde", "tomates", True),
        ("Salsa de tomate 397g", "Heinz", "tomates", False),
        ('Samsung Smart TV 32" HD', None, "samsung tv", True),
        ('Samsung 65" QLED 4K', None, "samsung tv", False),
        ("Coffee beans 1kg", None, "coffee", True),
        ("Cafetera 12 tazas", None, "coffee", False),
        ("Café molido 500g", None, "café", True),
        ("Cafetera 12 tazas", None, "café", False),
        ("Phone case", None, "phones", True),
        ("Apple MacBook Air M2", "Apple", "apples", False),
        ("Red apples", "Campo Verde", "apples", False),
        ("Tomates", None, "", False),
        ("Harina de maíz precocida 1kg", "P.A.N.", "harina pan", True),  # the maker's name
        ("Pan integral", "Bimbo", "harina pan", False),
    ],
)
def test_a_name_is_what_the_query_asks_for_when_it_starts_with_it(
    name: str, brand: str | None, query: str, named: bool
) -> None:
    assert names_it(name, query_terms(query), brand) is named


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("can you send it to 9 Pine Street, Tryon instead?", "9 Pine Street, Tryon"),
        ("my new address is 7 Oak Ave, Boston", "7 Oak Ave, Boston"),
        ("cambia mi dirección a Calle Real 5, Valencia por favor", "Calle Real 5, Valencia"),
        ("entrégalo en Av. Bolívar 25, Valencia", "Av. Bolívar 25, Valencia"),
        ("quiero cambiar la dirección de entrega", ""),
        (
            "can you deliver it to my office instead? 500 Main St, Springfield",
            "500 Main St, Springfield",
        ),
        ("entrégalo en mi oficina: Torre Sur piso 3, Caracas", "Torre Sur piso 3, Caracas"),
        ("deliver it to my office", ""),
        ("change my address", ""),
        ("me lo pueden enviar a otra dirección?", ""),
        ("can you send it to a different address? 12 Elm Road, Tryon", "12 Elm Road, Tryon"),
        ("add rice", None),
        ("change the oil to 2", None),
        ("do you deliver to my area?", None),
        ("can you deliver to 45 Oak Street instead?", "45 Oak Street"),
        ("do you deliver to Maracay?", None),  # where the store delivers
    ],
)
def test_asking_to_deliver_elsewhere_names_the_new_address(text: str, address: str | None) -> None:
    assert address_change(text) == address


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("sorry, it's Sarah Connor", "Sarah Connor"),
        ("Sarah Connor", "Sarah Connor"),  # the name given before, in full
        ("perdón, me llamo Sara Conejo", "Sara Conejo"),
        ("22 Elm Street, Springfield", None),
        ("no, es Calle Real", None),
        ("Calle Real 5", None),
    ],
)
def test_a_name_corrected_while_the_address_is_asked_for(text: str, name: str | None) -> None:
    assert name_correction(text, "Sarah") == name


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("es casa 14", "Urb. Los Palos Grandes, calle 3, casa 14, Caracas"),
        ("calle 5", "Urb. Los Palos Grandes, calle 5, casa 12, Caracas"),
        ("apto 4B", None),  # the address has no "apto" to correct
        ("Caracas", None),
    ],
)
def test_a_part_of_the_address_corrected_on_its_own(text: str, address: str | None) -> None:
    assert corrected_address(text, "Urb. Los Palos Grandes, calle 3, casa 12, Caracas") == address


class _ProviderDown(Embeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise ConnectionError("embedding provider unreachable")

    def embed_query(self, text: str) -> list[float]:
        raise ConnectionError("embedding provider unreachable")


async def test_words_missing_from_a_product_are_compared_as_written_when_embeddings_fail() -> None:
    catalog = CatalogRepository(cast(Any, None), _ProviderDown())
    onions = Product(
        "GR-ONION", "Onions", "Yellow onions", "", "Vegetables", "kg", Decimal("1.5"), "USD", True
    )
    stove = Product(
        "EL-STOVE",
        "Cocina 4 hornillas",
        "Gas stove",
        "",
        "Hogar",
        "unit",
        Decimal(359),
        "USD",
        True,
    )
    assert await catalog.missing_words("cebolla", [onions, stove]) == {
        "GR-ONION": ["cebolla"],  # the translation needs the embeddings
        "EL-STOVE": ["cebolla"],
    }
    assert await catalog.missing_words("onions", [onions]) == {}


def test_naming_terms_keep_two_letter_names_not_units() -> None:
    assert naming_terms("a tv for the living room") == ["tv", "living", "room"]
    assert naming_terms("2 kg de papas") == ["papa"]
    assert naming_terms("500 ml de aceite") == ["aceite"]
    assert naming_terms("el kilo de carne") == ["carne"]
    assert naming_terms("tvs in maracay") == ["tv", "maracay"]  # "tvs": more than one tv
