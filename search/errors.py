"""Search errors: each carries the HTTP status and machine-readable code the app's error handler renders."""

__all__ = ["SearchError", "SearchUnavailable", "InvalidSearch"]


class SearchError(Exception):
    """Base of search errors; carries the attributes the app's error handler renders."""

    status_code = 500
    code = "search_error"

    def __init__(self, message: str, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class SearchUnavailable(SearchError):
    """The engine cannot be reached; writes are unaffected and the indexer retries later."""

    status_code = 503
    code = "search_unavailable"


class InvalidSearch(SearchError):
    """The query cannot be run as given (unknown facet, bad parameter)."""

    status_code = 400
    code = "invalid_search"
