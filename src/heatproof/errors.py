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


def decode_utf8(data: bytes, what: str, encoding: str = "utf-8") -> str:
    """``data`` decoded as UTF-8 (``encoding`` "utf-8-sig" also drops a byte-order mark); bytes
    that are not UTF-8 raise InvalidInput naming ``what`` (the file), the line and the byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"{what} line {line}: byte {exc.start} is not UTF-8; save it as UTF-8"
        ) from None
