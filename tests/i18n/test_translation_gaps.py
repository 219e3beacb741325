"""`marketplace i18n gaps`: every interface message and every piece of demo text in every locale."""

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from i18n import tools
from marketplace.cli import main


def test_nothing_is_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert tools.untranslated_messages() == []
    assert main(["i18n", "gaps"]) == 0
    assert "every message and every piece of demo text is in all eight locales" in capsys.readouterr().out


def test_an_empty_or_fuzzy_message_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "locales"
    shutil.copytree(tools.LOCALES_DIR, copy)
    po_path = copy / "ko" / "LC_MESSAGES" / "messages.po"
    with open(po_path, "rb") as po_file:
        catalog = read_po(po_file)
    catalog["Search"].string = ""
    catalog["Tips"].flags.add("fuzzy")
    with open(po_path, "wb") as po_file:
        write_po(po_file, catalog)
    monkeypatch.setattr(tools, "LOCALES_DIR", copy)
    assert tools.untranslated_messages() == [("ko", "Search"), ("ko", "Tips")]
    assert main(["i18n", "gaps"]) == 2
    assert "catalog\tSearch\tko" in capsys.readouterr().out
