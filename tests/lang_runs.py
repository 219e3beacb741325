"""Reading a page as a browser would: which language each piece of text is in, by the lang attributes around it."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _LangReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, str | None]] = []
        self.runs: list[tuple[str, str | None, str | None]] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        values = dict(attrs)
        lang = values.get("lang") or (self.stack[-1][1] if self.stack else None)
        # <bdi> isolates text of unknown direction (names people typed), like dir="auto".
        direction = values.get("dir") or ("auto" if tag == "bdi" else None)
        direction = direction or (self.stack[-1][2] if self.stack else None)
        self.stack.append((tag, lang, direction))
        if tag in ("script", "style", "title"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                if tag in ("script", "style", "title"):
                    self.skip -= 1
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not self.skip:
            _, lang, direction = self.stack[-1] if self.stack else ("", None, None)
            self.runs.append((data, lang, direction))


def text_runs(html: str) -> list[tuple[str, str | None, str | None]]:
    """(text, lang, dir) for every piece of visible text, each with the lang and dir it inherits."""
    reader = _LangReader()
    reader.feed(html)
    return reader.runs


def runs_containing(html: str, text: str) -> list[tuple[str | None, str | None]]:
    """The (lang, dir) of every run of the page that holds `text`."""
    return [(lang, direction) for data, lang, direction in text_runs(html) if text in data]
