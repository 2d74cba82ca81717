"""Whether anyone watches a run: LangSmith tracing, Studio streaming the messages, a
handler a caller attached.

The offline model and the tools answer in well under a millisecond; LangChain's run
bookkeeping around each call (callback managers, run ids, merged metadata) costs several
times that. When nobody watches, they skip it; when someone does, every call is reported
as usual.
"""

from __future__ import annotations

from langchain_core.callbacks import BaseCallbackManager
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import var_child_runnable_config
from langsmith.utils import tracing_is_enabled


def observed(config: RunnableConfig | None) -> bool:
    """True when a callback handler listens to runs under `config` (or the run's own, in
    a graph node), or LangSmith tracing is on."""
    # What `ensure_config` would merge, without building the merged config: the caller's
    # callbacks, else those of the run this call is part of.
    callbacks = (config or {}).get("callbacks")
    if callbacks is None:
        callbacks = (var_child_runnable_config.get() or {}).get("callbacks")
    handlers = callbacks.handlers if isinstance(callbacks, BaseCallbackManager) else callbacks
    return bool(handlers) or bool(tracing_is_enabled())
