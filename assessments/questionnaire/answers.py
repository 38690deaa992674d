"""Turn posted form data into a stored answer value, and check values against their question.

Pure (no ORM). Every error is an ``AnswerInvalid`` with a message a client understands.
"""

import math

from django.utils.translation import gettext as _

from ..catalogue.text import tr

SPECIAL_VALUES = ("unknown", "na")
DEFAULT_MAX_LENGTH = {"text": 200, "long_text": 4000}


class AnswerInvalid(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def option_keys(question: dict) -> list[str]:
    if question["type"] == "yes_no":
        return ["yes", "no"]
    return [option["key"] for option in question.get("options", ())]


def _special_allowed(question: dict, value: str) -> bool:
    return (value == "unknown" and question.get("allow_unknown")) or (
        value == "na" and question.get("allow_na")
    )


def validate_value(question: dict, value):
    """Return the normalised value or raise ``AnswerInvalid``. ``None`` clears the answer."""
    if value is None:
        return None
    kind = question["type"]
    if isinstance(value, str) and value in SPECIAL_VALUES:
        if _special_allowed(question, value):
            return value
        raise AnswerInvalid(_("Diese Antwort ist bei dieser Frage nicht möglich."))
    if kind in {"single_choice", "yes_no"}:
        if not isinstance(value, str) or value not in option_keys(question):
            raise AnswerInvalid(_("Bitte wählen Sie eine der angebotenen Antworten."))
        return value
    if kind == "multi_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerInvalid(_("Bitte wählen Sie aus den angebotenen Antworten."))
        allowed = option_keys(question)
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise AnswerInvalid(_("Bitte wählen Sie aus den angebotenen Antworten."))
        exclusive = [
            o for o in question.get("options", ()) if o.get("exclusive") and o["key"] in value
        ]
        if exclusive and len(set(value)) > 1:
            raise AnswerInvalid(
                _("„%(label)s“ lässt sich nicht mit anderen Antworten kombinieren.")
                % {"label": tr(exclusive[0]["label"])}
            )
        # catalogue order, no duplicates; nothing ticked is no answer
        return [key for key in allowed if key in value] or None
    if kind in {"scale", "number"}:
        return _validate_number(question, value)
    if kind in {"text", "long_text"}:
        return _validate_text(question, value)
    if kind == "repeat_group":
        return _validate_rows(question, value)
    raise AnswerInvalid(_("Unbekannter Fragetyp."))


def _validate_number(question: dict, value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AnswerInvalid(_("Bitte geben Sie eine Zahl ein."))
    if isinstance(value, float) and not math.isfinite(value):
        raise AnswerInvalid(_("Bitte geben Sie eine Zahl ein."))
    low = question.get("min", 1 if question["type"] == "scale" else None)
    high = question.get("max", 5 if question["type"] == "scale" else None)
    if question["type"] == "scale" and value != int(value):
        raise AnswerInvalid(_("Bitte wählen Sie einen Wert auf der Skala."))
    if (low is not None and value < low) or (high is not None and value > high):
        raise AnswerInvalid(
            _("Bitte geben Sie einen Wert zwischen %(min)s und %(max)s ein.")
            % {"min": low, "max": high}
        )
    return int(value) if float(value).is_integer() else value


def _validate_text(question: dict, value):
    if not isinstance(value, str):
        raise AnswerInvalid(_("Bitte geben Sie einen Text ein."))
    value = value.strip()
    limit = question.get("max_length", DEFAULT_MAX_LENGTH[question["type"]])
    if len(value) > limit:
        raise AnswerInvalid(
            _("Der Text ist zu lang: höchstens %(limit)s Zeichen, Sie haben %(count)s.")
            % {"limit": limit, "count": len(value)}
        )
    return value or None


def _validate_rows(question: dict, value):
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise AnswerInvalid(_("Die Liste konnte nicht gelesen werden."))
    max_rows = question.get("max_rows", 20)
    if len(value) > max_rows:
        raise AnswerInvalid(_("Höchstens %(max)s Einträge sind möglich.") % {"max": max_rows})
    fields = {field["key"]: field for field in question["fields"]}
    rows = []
    for number, row in enumerate(value, start=1):
        unknown = set(row) - set(fields)
        if unknown:
            raise AnswerInvalid(_("Eintrag %(n)s enthält unbekannte Felder.") % {"n": number})
        clean = {}
        for key, field in fields.items():
            try:
                field_value = validate_value(field, row.get(key))
            except AnswerInvalid as error:
                raise AnswerInvalid(
                    _("Eintrag %(n)s, %(field)s: %(error)s")
                    % {"n": number, "field": tr(field.get("text")), "error": error.message}
                ) from None
            if field_value is not None:
                clean[key] = field_value
        if clean:
            rows.append(clean)
    return rows or None


def carry_value(question: dict, value):
    """Last time's answer as far as it still fits ``question`` (a re-assessment on a newer
    catalogue): a use-case row keeps the fields that still exist and still take its values, so a
    list of use cases is not lost when a version adds or drops a field. ``AnswerInvalid`` when
    nothing fits."""
    if question["type"] == "repeat_group" and isinstance(value, list):
        fields = {field["key"]: field for field in question["fields"]}
        rows = []
        for row in value:
            if not isinstance(row, dict):
                continue
            kept = {}
            for key, field_value in row.items():
                if key not in fields:
                    continue
                try:
                    kept[key] = validate_value(fields[key], field_value)
                except AnswerInvalid:
                    continue
            kept = {k: v for k, v in kept.items() if v is not None}
            if kept:
                rows.append(kept)
        value = rows
    return validate_value(question, value)


def parse_answer(question: dict, data) -> object:
    """Read the answer to ``question`` from ``data`` (a QueryDict or a dict of lists)."""
    key = question["key"]
    kind = question["type"]
    getlist = data.getlist if hasattr(data, "getlist") else (lambda k: list(data.get(k, [])))

    def get(name: str) -> str | None:
        values = getlist(name)
        return values[-1] if values else None

    special = get(f"{key}__special")
    if special:
        return validate_value(question, special)
    if kind == "multi_choice":
        chosen = getlist(key)
        specials = [v for v in chosen if v in SPECIAL_VALUES]
        if specials:
            if len(chosen) > 1:
                raise AnswerInvalid(
                    _("Bitte wählen Sie entweder Antworten aus oder „weiß nicht“ – nicht beides.")
                )
            return validate_value(question, specials[0])
        return validate_value(question, chosen)
    if kind == "repeat_group":
        return validate_value(question, _rows_from_form(question, get))
    raw = get(key)
    if raw is None or raw.strip() == "":
        return None
    if kind in {"scale", "number"}:
        try:
            number = float(raw.replace(",", ".")) if kind == "number" else int(raw)
        except ValueError:
            raise AnswerInvalid(_("Bitte geben Sie eine Zahl ein.")) from None
        return validate_value(question, number)
    return validate_value(question, raw)


def _rows_from_form(question: dict, get) -> list[dict]:
    key = question["key"]
    try:
        count = int(get(f"{key}-rows") or 0)
    except ValueError:
        raise AnswerInvalid(_("Die Liste konnte nicht gelesen werden.")) from None
    max_rows = question.get("max_rows", 20)
    if count < 0 or count > max_rows + 1:
        raise AnswerInvalid(_("Höchstens %(max)s Einträge sind möglich.") % {"max": max_rows})
    rows = []
    for index in range(count):
        if get(f"{key}-{index}-DELETE"):
            continue
        row = {}
        for field in question["fields"]:
            raw = get(f"{key}-{index}-{field['key']}")
            if raw is not None and raw.strip():
                row[field["key"]] = raw
        if row:
            rows.append(row)
    return rows


def answer_label(question: dict, value, language: str | None = None) -> str:
    """A readable form of a stored answer, for the results page, the report and CSV."""
    if value is None or value == "":
        return "–"
    if value == "unknown":
        return _("weiß nicht")
    if value == "na":
        return _("nicht zutreffend")
    kind = question["type"]
    if kind == "yes_no":
        return {"yes": _("Ja"), "no": _("Nein")}.get(value, str(value))
    labels = {o["key"]: tr(o["label"], language) for o in question.get("options", ())}
    if kind == "single_choice":
        return labels.get(value, str(value))
    if kind == "multi_choice":
        return ", ".join(labels.get(v, str(v)) for v in value) if value else _("keine")
    if kind == "scale":
        scale = {int(k): tr(v, language) for k, v in (question.get("labels") or {}).items()}
        return f"{value} ({scale[value]})" if value in scale else str(value)
    if kind == "repeat_group":
        fields = {f["key"]: f for f in question.get("fields", ())}
        rows = []
        for row in value:
            parts = [answer_label(fields[key], row[key], language) for key in fields if key in row]
            rows.append(" · ".join(parts))
        return "; ".join(rows) if rows else _("keine")
    return str(value)
