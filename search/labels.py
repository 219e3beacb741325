"""Labels of facet values (categories) in the visitor's language.

Categories belong to the packages that index documents (tourism, marketplace), which search cannot import:
each registers a labeller at start-up, and the search page asks them in turn.
"""

from collections.abc import Callable

__all__ = ["CategoryLabeller", "register_category_labeller", "category_label"]

CategoryLabeller = Callable[[str, str], str | None]
"""(category value, locale) -> its label, or None when the category is not the labeller's."""

_labellers: list[CategoryLabeller] = []


def register_category_labeller(labeller: CategoryLabeller) -> None:
    """Add a package's labeller (once; registering the same function again changes nothing)."""
    if labeller not in _labellers:
        _labellers.append(labeller)


def category_label(value: str, locale: str) -> str:
    """The registered label of a category; an unknown one is shown as words, never as a raw slug."""
    for labeller in _labellers:
        label = labeller(value, locale)
        if label:
            return label
    return value.replace("_", " ").replace("-", " ").capitalize()
