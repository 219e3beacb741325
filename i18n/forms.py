"""Reading an HTML form, as typed by a person in any locale, into a msgspec Struct with per-field messages.

One helper for every form of every package: `decode_form(form, Model, **known)` returns a `Model` or raises
`FormInvalid`, whose `fields` map each bad field to a message (an English msgid, translated where it is shown).

How a form's strings become typed values, by the field's type in the Struct:

- `str`: trimmed; a blank optional field takes its default.
- `int`: digits, with "120.000" or "120,000" read as thousands (prices are typed that way in Vietnam).
- `float`: "10,5" and "10.5" alike.
- `bool`: a check box, true when sent with any value but "false"/"0"/"off", false when absent.
- `datetime`: a `datetime-local` field, read in the province's time zone.
- `list[...]`, `set[...]`: every value sent under the name (repeated check boxes or selects).
- `dict[str, str]` (a LocalizedText): the fields `<name>_vi`, `<name>_en`, ... with blanks left out.

This lives in i18n because it is about how people type values in their language and where they are, and
because every package above (tourism, marketplace) reads forms with it.
"""

import inspect
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, TypeVar, get_type_hints

import msgspec
import msgspec.inspect as mi

from i18n.locales import SUPPORTED_LOCALES, TIME_ZONE

__all__ = ["FORM_ERROR", "FIELD_MESSAGES", "FormInvalid", "decode_form", "form_values", "error_lines",
           "invalid_fields", "refusal_status", "submit", "ShowAgain"]

T = TypeVar("T")
R = TypeVar("R")

# Shows the form again: (values as typed, [(message, field)], status code) -> the page (or an awaitable of it).
ShowAgain = Callable[[dict[str, Any], list[tuple[str, str]], int], Any]


def N_(message: str) -> str:
    """Marks a message for extraction into the catalogs; it is translated where it is shown."""
    return message


FORM_ERROR = N_("Please check the form.")

# Every message a field can get; the catalogs translate each (tests/i18n checks they exist in every locale).
REQUIRED = N_("This field is required.")
WHOLE_NUMBER = N_("Enter a whole number.")
NUMBER = N_("Enter a number.")
DATE_TIME = N_("Enter a date and time.")
DATE = N_("Enter a date.")
TOO_SHORT = N_("This is too short.")
TOO_LONG = N_("This is too long.")
TOO_SMALL = N_("This number is too small.")
TOO_LARGE = N_("This number is too large.")
NOT_A_CHOICE = N_("Choose one of the options.")
BAD_FORMAT = N_("This is not in the expected format.")
INVALID = N_("This value is not valid.")
FIELD_MESSAGES: tuple[str, ...] = (
    REQUIRED, WHOLE_NUMBER, NUMBER, DATE_TIME, DATE, TOO_SHORT, TOO_LONG, TOO_SMALL, TOO_LARGE, NOT_A_CHOICE,
    BAD_FORMAT, INVALID,
)

# Digits grouped by thousands, as people type prices: "120.000" (vi), "120,000" (en), "120 000" (fr, ru, with
# a space, a no-break or a narrow no-break space), "١٢٠٬٠٠٠" (ar, once its digits are read as ASCII).
_GROUPED = re.compile(r"-?\d{1,3}(?:([.,\u066c \u00a0\u202f\u2009])\d{3})(?:\1\d{3})*")
_WHOLE = re.compile(r"-?\d+")
# PostgreSQL's bigint: a larger whole number cannot be stored, so it is refused as too large.
BIGINT_MAX = 2**63 - 1
_CHECKBOX_OFF = ("", "false", "0", "off")
_MISSING = object()


class _Refused(Exception):
    """A field's value refused while reading it, with the message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormInvalid(Exception):
    """A form with bad fields: 422, code `invalid_form`, `fields` maps each field to its message.

    It has the duck type every package's errors share (`status_code`, `code`, `message`, `details`), so the
    app renders it like its own errors, as JSON or as a page.
    """

    status_code = 422
    code = "invalid_form"

    def __init__(self, fields: Mapping[str, str], message: str = FORM_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields)
        first = next(iter(self.fields), "")
        self.details = {"field": first, "fields": self.fields}
        self.headers: dict[str, str] = {}

    def lines(self) -> list[tuple[str, str]]:
        """(message, field) pairs, one per bad field, for a page to list."""
        return [(message, field) for field, message in self.fields.items()]


def error_lines(error: Any) -> list[tuple[str, str]]:
    """(message, field) pairs for any refused submission: per field for a bad form, else the error's message."""
    if isinstance(error, FormInvalid):
        return error.lines()
    details = getattr(error, "details", None)
    field = details.get("field", "") if isinstance(details, dict) else ""
    return [(getattr(error, "message", str(error)), str(field or ""))]


def refusal_status(error: BaseException) -> int | None:
    """The 4xx status of an error that refuses what a person sent, None for anything else.

    Every package's errors share one duck type (`status_code`, `code`, `message`, `details`), so this needs
    none of them: a form shows such a refusal next to its fields, any other error goes to the error handler.
    """
    status = getattr(error, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and isinstance(getattr(error, "code", None), str):
        return status
    return None


async def submit(
    form: Mapping[str, Any],
    model: type[T],
    save: Callable[[T], Awaitable[R]],
    show_again: ShowAgain,
    *,
    savepoint: Callable[[], AbstractAsyncContextManager[Any]],
    **known: Any,
) -> Any:
    """Decode `form` into `model` and `save` it inside `savepoint()`; returns what `save` returns.

    On a bad field or a refusal by the rules (a 4xx error of any package), whatever `save` wrote is undone by
    leaving the savepoint, and the result of `show_again(values as typed, messages, status)` is returned instead.
    The web layers of each package turn a returned path into their redirect.
    """
    try:
        data = decode_form(form, model, **known)
        async with savepoint():
            return await save(data)
    except Exception as error:
        status = refusal_status(error)
        if status is None:
            raise
        page = show_again(form_values(form), error_lines(error), status)
        return await page if inspect.isawaitable(page) else page


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted values as they were typed, to fill the form again next to its messages."""
    return {key: form.get(key) for key in form}


def decode_form(form: Mapping[str, Any], model: type[T], **known: Any) -> T:
    """The form as a `model`; values in `known` (path parameters, the locale...) are taken as they are.

    Raises FormInvalid listing every bad field, not only the first.
    """
    hints = get_type_hints(model, include_extras=True)
    info = mi.type_info(model)
    if not isinstance(info, mi.StructType):
        raise TypeError(f"{model!r} is not a msgspec Struct")
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in info.fields:
        if field.name in known:
            data[field.encode_name] = known[field.name]
            continue
        try:
            raw = _read(form, field)
            if raw is _MISSING:
                if field.required:
                    errors[field.encode_name] = REQUIRED
                continue
            data[field.encode_name] = msgspec.convert(raw, hints[field.name], strict=False)
        except _Refused as refused:
            errors[field.encode_name] = refused.message
        except msgspec.ValidationError as error:
            errors[field.encode_name] = _message(str(error), field.type)
    if errors:
        raise FormInvalid(errors)
    try:
        # A second pass runs the Struct's own checks (__post_init__) on the typed values.
        return msgspec.convert(data, model, strict=False)
    except msgspec.ValidationError as error:
        raise invalid_fields(error) from None


def invalid_fields(error: msgspec.ValidationError) -> FormInvalid:
    """msgspec's refusal of typed values (a Struct built from a form's fields) as a form's per-field error."""
    return FormInvalid({_field_of(str(error)): _message(str(error), None)})


def _read(form: Mapping[str, Any], field: mi.Field) -> Any:
    """The field's raw value from the form, prepared for its type; _MISSING when not given."""
    kind = _unwrap(field.type)
    if isinstance(kind, mi.DictType):
        localized = {locale: _text(form.get(f"{field.encode_name}_{locale}")) for locale in SUPPORTED_LOCALES}
        localized = {locale: text for locale, text in localized.items() if text}
        return localized if localized or field.required else _MISSING
    if isinstance(kind, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        values = [_text(value) for value in _all(form, field.encode_name)]
        item = _unwrap(kind.item_type)
        return [_prepare(value, item) for value in values if value]
    if isinstance(kind, mi.BoolType):
        return _text(form.get(field.encode_name)).lower() not in _CHECKBOX_OFF
    value = _text(form.get(field.encode_name))
    if value == "":
        return None if _allows_none(field.type) else _MISSING
    return _prepare(value, kind)


def _prepare(value: str, kind: mi.Type) -> Any:
    if isinstance(kind, mi.IntType):
        return _whole_number(_ascii_digits(value))
    if isinstance(kind, mi.FloatType):
        return _ascii_digits(value).replace("\u066b", ".").replace(",", ".")
    if isinstance(kind, mi.DateTimeType):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment if moment.tzinfo else moment.replace(tzinfo=TIME_ZONE)
    return value


def _whole_number(value: str) -> int:
    """Digits, maybe grouped by thousands; no decimals, no exponent ("1e3"), nothing past PostgreSQL's bigint."""
    if _GROUPED.fullmatch(value):
        value = re.sub(r"[^\d-]", "", value)
    if not _WHOLE.fullmatch(value):
        raise _Refused(WHOLE_NUMBER)
    number = int(value)
    if abs(number) > BIGINT_MAX:
        raise _Refused(TOO_LARGE)
    return number


def _ascii_digits(value: str) -> str:
    """Digits of any script ("١٢٠", "１２０") as ASCII digits, so every locale's keyboard types numbers."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
                   for char in value)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _all(form: Mapping[str, Any], name: str) -> list[Any]:
    getall = getattr(form, "getall", None)
    if getall is not None:
        return list(getall(name, []))
    value = form.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _unwrap(kind: mi.Type) -> mi.Type:
    """`X | None` and `Annotated[X, Meta(...)]` (as LocalizedText is) as `X`; other types as they are."""
    if isinstance(kind, mi.Metadata):
        return _unwrap(kind.type)
    if isinstance(kind, mi.UnionType):
        others = [member for member in kind.types if not isinstance(member, mi.NoneType)]
        if len(others) == 1:
            return _unwrap(others[0])
    return kind


def _allows_none(kind: mi.Type) -> bool:
    if isinstance(kind, mi.Metadata):
        return _allows_none(kind.type)
    return isinstance(kind, mi.UnionType) and any(isinstance(member, mi.NoneType) for member in kind.types)


def _field_of(error: str) -> str:
    if "`$." in error:
        return error.rsplit("`$.", 1)[-1].rstrip("`").split("[")[0].split(".")[0]
    match = re.search(r"required field `([^`]+)`", error)
    return match.group(1) if match else ""


def _message(error: str, kind: mi.Type | None) -> str:
    """A person's words for msgspec's message about one field."""
    if "missing required field" in error:
        return REQUIRED
    if "length >=" in error:
        return TOO_SHORT
    if "length <=" in error:
        return TOO_LONG
    if re.search(r"`(int|float)` (>=|>) ", error):
        return TOO_SMALL
    if re.search(r"`(int|float)` (<=|<) ", error):
        return TOO_LARGE
    if "Invalid enum value" in error:
        return NOT_A_CHOICE
    if "matching regex" in error:
        return BAD_FORMAT
    base = _unwrap(kind) if kind is not None else None
    if isinstance(base, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        base = _unwrap(base.item_type)
    if isinstance(base, mi.LiteralType) or isinstance(base, mi.EnumType):
        return NOT_A_CHOICE
    if isinstance(base, mi.IntType):
        return WHOLE_NUMBER
    if isinstance(base, mi.FloatType):
        return NUMBER
    if isinstance(base, mi.DateTimeType):
        return DATE_TIME
    if isinstance(base, mi.DateType):
        return DATE
    return INVALID
