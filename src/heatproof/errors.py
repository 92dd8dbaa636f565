"""User-facing errors: each names the field, the value and the fix, and the CLI prints it as one line."""


class HeatproofError(Exception):
    """A problem the user can fix; the CLI shows its message and exits with status 2."""


class NotFound(HeatproofError):
    """A named record, run or file does not exist."""


class InvalidInput(HeatproofError):
    """A value is out of range or malformed."""


def require(condition: bool, message: str) -> None:
    """Raise InvalidInput(message) unless condition holds."""
    if not condition:
        raise InvalidInput(message)
