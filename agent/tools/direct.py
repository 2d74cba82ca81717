"""Tools that run directly when nobody observes them.

A tool call through LangChain configures a callback manager, reports the start and the
end, filters the injected arguments for the report, and inspects the function's signature
for a config or run-manager parameter: about 0.3 ms per call on this machine, more than
most of these tools' own work. When no handler listens (agent/observers.py), a
`DirectTool` validates the arguments the same way and awaits its function; when one does,
the call takes LangChain's full path.
"""

from __future__ import annotations

import inspect
from typing import Any

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.messages.tool import ToolOutputMixin
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool

from agent.observers import observed


class DirectTool(StructuredTool):
    """A StructuredTool whose coroutine returns a string or a `Command`."""

    async def ainvoke(
        self,
        input: str | dict[str, Any] | ToolCall,
        config: RunnableConfig | None = None,
        **kwargs: Any,
    ) -> Any:
        coroutine = self.coroutine
        if coroutine is None or not isinstance(input, dict) or not self._direct(input, config):
            return await super().ainvoke(input, config, **kwargs)
        call_id = input["id"]
        # The same validation as the full path: ValidationError for bad arguments, which
        # ToolNode turns into an error message for the model.
        args, keywords = self._to_args_and_kwargs(dict(input["args"]), call_id)
        output = await coroutine(*args, **keywords)
        if isinstance(output, ToolOutputMixin):  # a Command, a ToolMessage
            return output
        if not isinstance(output, str):
            raise TypeError(f"tool {self.name} returned {type(output).__name__}, not str")
        return ToolMessage(output, tool_call_id=call_id, name=self.name)

    def _direct(self, call: dict[str, Any] | ToolCall, config: RunnableConfig | None) -> bool:
        return (
            call.get("type") == "tool_call"
            and self.response_format == "content"
            and not self.handle_tool_error
            and not self.handle_validation_error
            and not observed(config)
        )


def direct(tool: BaseTool) -> BaseTool:
    """`tool` as a DirectTool (the same name, schema and function). A tool whose function
    wants the run's config or callbacks, which only the full path passes, stays as it is."""
    if type(tool) is not StructuredTool or tool.coroutine is None:
        return tool
    wanted = inspect.signature(tool.coroutine).parameters
    if any(name in _PASSED_BY_LANGCHAIN for name in wanted):
        return tool
    return DirectTool(**{name: getattr(tool, name) for name in StructuredTool.model_fields})


_PASSED_BY_LANGCHAIN = frozenset({"config", "callbacks", "run_manager"})
