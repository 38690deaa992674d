"""Small helpers for text that people type and the portal passes on."""


def single_line(value: str) -> str:
    """``value`` with every run of whitespace (line breaks included) as one space, trimmed.

    For names that end up in e-mail headers and bodies, file names and PDF headers.
    """
    return " ".join(value.split())


def choice_labels(choices) -> dict[str, str]:
    """``{value: label}`` of ``(value, label)`` pairs (a field's ``choices``, a dict's items),
    each label translated once, in the active language: for a list that names a choice on every
    row. (``get_FOO_display`` translates every label of the field again on each call: 50 rows
    with branch and size took ~1,500 look-ups.)"""
    return {value: str(label) for value, label in choices}
