"""User-facing errors: one line, naming the file/line/field and how to fix it."""

from __future__ import annotations


class AssessError(Exception):
    """An error caused by the user's input or environment, shown as one line without a traceback."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(AssessError):
    """A file the user gave is malformed; the message names file, line and field."""

    def __init__(self, path: object, message: str, *, line: int | None = None,
                 field: str | None = None, hint: str | None = None) -> None:
        where = str(path)
        if line is not None:
            where += f":{line}"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {message}", hint=hint)
        self.path = path
        self.line = line
        self.field = field


class AssessWarning(UserWarning):
    """Something that costs time or coverage but not correctness (e.g. an unwritable cache);
    the CLI prints it as one ``assess: warning:`` line."""
