"""The label sheet of a batch: what its labels print, and the link its QR code holds."""

from i18n import localize
from marketplace.catalog.models import Product
from marketplace.traceability.labels import LabelSheet
from marketplace.traceability.models import Batch

__all__ = ["trace_link", "label_sheet"]

# Labels travel with the goods to readers of any language: the producer's Vietnamese and English, short.
DATE_WORDS = {"production": "NSX/Made", "harvest": "Thu hoạch/Harvest"}


def trace_link(base: str, trace_code: str) -> str:
    """The locale-free short link a label prints: each reader lands on the trace page in their language."""
    return f"{base}/t/{trace_code}"


def label_sheet(batch: Batch, product: Product, base: str) -> LabelSheet:
    """The sheet of 21 labels of this batch."""
    return LabelSheet(
        product=localize(product.name, "vi"),
        producer=localize(product.merchant_name, "vi"),
        batch_line=f"Lô/Batch: {batch.batch_code}",
        date_line=f"{DATE_WORDS[batch.date_kind]}: {batch.produced_on.strftime('%d/%m/%Y')}",
        stars=product.merchant_ocop_stars,
        url=trace_link(base, batch.trace_code),
    )
