"""Demo data of the province, seeded through the real services; apart from the runtime, used by the CLI and tests."""

from marketplace.demo.payments import pay_demo_order
from marketplace.demo.seed import DEMO_PASSWORD, load_demo_data, record_demo_cash, seed_marketplace_demo

__all__ = ["DEMO_PASSWORD", "load_demo_data", "pay_demo_order", "record_demo_cash", "seed_marketplace_demo"]
