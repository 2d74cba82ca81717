"""The service loads the offline embedding model when it starts, not on the first search."""

from __future__ import annotations

import pytest
from langchain_core.embeddings import Embeddings

from ingestion.embeddings import Embedder, OfflineEmbeddings, build_embedder


def test_warm_up_loads_the_offline_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OfflineEmbeddings, "_model", None)
    build_embedder("offline").warm_up()
    encoder = OfflineEmbeddings._model
    assert encoder is not None
    assert encoder._backend is not None, "the weights are read, not only the class built"


class HostedEmbeddings(Embeddings):
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError("a hosted provider is not called at start-up")

    def embed_query(self, text: str) -> list[float]:
        raise AssertionError("a hosted provider is not called at start-up")


def test_warm_up_leaves_a_hosted_provider_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OfflineEmbeddings, "_model", None)
    Embedder("openai:text-embedding-3-small", 8, HostedEmbeddings()).warm_up()
    assert OfflineEmbeddings._model is None
