"""submit_form: a decoded form is saved in a savepoint, then redirected; a refusal is undone and shown again."""

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Response
from litestar.response import Redirect

from marketplace.platform.errors import Conflict
from marketplace.platform.web import submit_form


class NoteForm(msgspec.Struct, frozen=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    count: int = 1


class PageAt(msgspec.Struct, frozen=True):
    """What submit_form reads of the page renderer: where the app is mounted and the visitor's locale."""

    path_prefix: str
    locale: str


class FormShownAgain:
    """Records what the page would show again."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], list[tuple[str, str]], int]] = []

    def __call__(self, values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response[str]:
        self.calls.append((values, errors, status))
        return Response("form again", status_code=status)


async def _notes(conn: asyncpg.Connection) -> list[str]:
    return [row["text"] for row in await conn.fetch("SELECT text FROM form_notes ORDER BY text")]


async def test_a_valid_form_is_saved_and_redirected(conn: asyncpg.Connection) -> None:
    await conn.execute("CREATE TEMP TABLE form_notes (text text)")
    shown = FormShownAgain()

    async def save(data: NoteForm) -> str:
        await conn.execute("INSERT INTO form_notes VALUES ($1)", f"{data.text} x{data.count}")
        return "/notes"

    response = await submit_form(conn, PageAt("/market", "vi"), {"text": " Nho ", "count": "3"}, NoteForm,
                                 save, shown)  # type: ignore[arg-type]
    assert isinstance(response, Redirect) and response.status_code == 303 and response.url == "/market/vi/notes"
    assert await _notes(conn) == ["Nho x3"] and shown.calls == []


async def test_a_refused_save_is_undone_and_the_form_shown_again(conn: asyncpg.Connection) -> None:
    await conn.execute("CREATE TEMP TABLE form_notes (text text)")
    shown = FormShownAgain()

    async def save(data: NoteForm) -> str:
        await conn.execute("INSERT INTO form_notes VALUES ($1)", data.text)
        raise Conflict("Sold out.", code="sold_out", details={"field": "count"})

    response = await submit_form(conn, PageAt("", "en"), {"text": "Tỏi"}, NoteForm, save, shown)  # type: ignore[arg-type]
    assert response.status_code == 409
    assert shown.calls == [({"text": "Tỏi"}, [("Sold out.", "count")], 409)]
    # The savepoint rolled the insert back, and the request's transaction is still usable.
    assert await _notes(conn) == []


async def test_bad_fields_are_shown_again_without_saving(conn: asyncpg.Connection) -> None:
    shown = FormShownAgain()
    saved: list[NoteForm] = []

    async def save(data: NoteForm) -> str:
        saved.append(data)
        return "/notes"

    response = await submit_form(conn, PageAt("", "vi"), {"text": "", "count": "many"}, NoteForm, save,
                                 shown)  # type: ignore[arg-type]
    assert response.status_code == 422 and saved == []
    assert shown.calls[0][1] == [("This field is required.", "text"), ("Enter a whole number.", "count")]
