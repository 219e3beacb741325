"""The catalogue as DCAT in JSON-LD, its context written inline so that a reader needs no network to expand it."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import i18n
from marketplace.opendata.models import LICENSE_URL, N_, Dataset, Distribution

__all__ = ["CATALOGUE_PATH", "DCAT_CONTEXT", "catalogue_jsonld"]

CATALOGUE_PATH = "/api/v1/datasets"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DCAT_CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dct:license": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
    "dcat:mediaType": {"@type": "@id"},
    "foaf:homepage": {"@type": "@id"},
}


def _texts(message: str) -> list[dict[str, str]]:
    """A message in every locale, each tagged with its language."""
    return [{"@value": i18n.gettext(message, locale), "@language": locale} for locale in i18n.SUPPORTED_LOCALES]


def _dates(issued: datetime | None, modified: datetime | None) -> dict[str, str]:
    dates = {}
    if issued is not None:
        dates["dct:issued"] = issued.isoformat()
    if modified is not None:
        dates["dct:modified"] = modified.isoformat()
    return dates


def _distribution(base: str, dataset: Dataset, distribution: Distribution) -> dict[str, Any]:
    url = base + distribution.path
    return {
        "@id": f"{base}{CATALOGUE_PATH}#{dataset.spec.key}-{distribution.format.lower()}",
        "@type": "dcat:Distribution",
        "dct:title": f"{dataset.spec.title} ({distribution.format})",
        "dcat:downloadURL": url,
        "dcat:accessURL": url,
        "dcat:mediaType": IANA_MEDIA_TYPES + distribution.media_type,
        "dct:format": distribution.format,
        "dct:license": LICENSE_URL,
        **_dates(dataset.issued, dataset.modified),
    }


def _dataset(base: str, dataset: Dataset, publisher: str) -> dict[str, Any]:
    spec = dataset.spec
    return {
        "@id": f"{base}{CATALOGUE_PATH}#{spec.key}",
        "@type": "dcat:Dataset",
        "dct:identifier": spec.key,
        "dct:title": _texts(spec.title),
        "dct:description": _texts(spec.description),
        "dcat:keyword": [text for keyword in spec.keywords for text in _texts(keyword)],
        "dct:publisher": {"@id": publisher},
        "dct:license": LICENSE_URL,
        "dcat:landingPage": f"{base}/{i18n.DEFAULT_LOCALE}{spec.landing_path}",
        **_dates(dataset.issued, dataset.modified),
        "dcat:distribution": [_distribution(base, dataset, item) for item in spec.distributions],
    }


def catalogue_jsonld(datasets: Sequence[Dataset], base: str) -> dict[str, Any]:
    """The dcat:Catalog of `datasets`; every URL absolute under `base` (the settings' base URL and mount)."""
    publisher = f"{base}/#publisher"
    changes = [dataset.modified for dataset in datasets if dataset.modified is not None]
    firsts = [dataset.issued for dataset in datasets if dataset.issued is not None]
    return {
        "@context": DCAT_CONTEXT,
        "@id": base + CATALOGUE_PATH,
        "@type": "dcat:Catalog",
        "dct:title": _texts(N_("Open data of the Ninh Thuận Marketplace")),
        "dct:description": _texts(N_("Attractions, events and the province's indicators, free to reuse under "
                                     "the Creative Commons Attribution 4.0 licence.")),
        "dct:publisher": {"@id": publisher, "@type": "foaf:Agent",
                          "foaf:name": _texts(N_("Ninh Thuận Marketplace")), "foaf:homepage": f"{base}/"},
        "dct:license": LICENSE_URL,
        "foaf:homepage": f"{base}/{i18n.DEFAULT_LOCALE}/open-data",
        **_dates(min(firsts, default=None), max(changes, default=None)),
        "dcat:dataset": [_dataset(base, dataset, publisher) for dataset in datasets],
    }
