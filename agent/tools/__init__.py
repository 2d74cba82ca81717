"""The tools the ordering stage's model may call."""

from langchain_core.tools import BaseTool

from agent.tools.catalog import get_product_details, search_products
from agent.tools.handoff import request_human_agent

TOOLS: list[BaseTool] = [search_products, get_product_details, request_human_agent]

__all__ = ["TOOLS", "get_product_details", "request_human_agent", "search_products"]
