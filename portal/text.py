"""Small helpers for text that people type and the portal passes on."""


def single_line(value: str) -> str:
    """``value`` with every run of whitespace (line breaks included) as one space, trimmed.

    For names that end up in e-mail headers and bodies, file names and PDF headers.
    """
    return " ".join(value.split())
