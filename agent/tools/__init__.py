"""The tools the ordering stage's model may call: read-only catalog tools, the cart, and
the customer's own orders. Placing an order is not among them: it happens only in the
deterministic confirmation step, after an explicit yes."""

from langchain_core.tools import BaseTool

from agent.tools.cart import add_to_cart, checkout, remove_from_cart, update_cart_item, view_cart
from agent.tools.catalog import get_product_details, search_products
from agent.tools.handoff import request_human_agent
from agent.tools.orders import cancel_order, get_order_status

TOOLS: list[BaseTool] = [
    search_products,
    get_product_details,
    add_to_cart,
    update_cart_item,
    remove_from_cart,
    view_cart,
    checkout,
    get_order_status,
    cancel_order,
    request_human_agent,
]

__all__ = ["TOOLS"]
