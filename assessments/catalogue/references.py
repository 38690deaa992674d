"""Checks across the catalogue that a per-field schema cannot express."""

from collections import Counter

CHOICE_TYPES = {"single_choice", "multi_choice", "yes_no"}
REPEAT_FIELD_TYPES = {"text", "single_choice", "yes_no"}
RESERVED = {"unknown", "na"}
COMPARISONS = {"gte", "gt", "lte", "lt"}


def _duplicates(keys: list[str]) -> list[str]:
    return sorted(key for key, count in Counter(keys).items() if count > 1)


def _option_keys(question: dict) -> set[str]:
    if question["type"] == "yes_no":
        return {"yes", "no"}
    return {o["key"] for o in question.get("options", ())}


def check_references(doc: dict) -> list[str]:
    errors: list[str] = []
    errors += _check_levels(doc)
    section_keys = [s["key"] for s in doc["sections"]]
    for key in _duplicates(section_keys):
        errors.append(f"sections: duplicate section key '{key}'")
    all_keys = [q["key"] for s in doc["sections"] for q in s["questions"]]
    for key in _duplicates(all_keys):
        errors.append(f"sections: duplicate question key '{key}'")
    seen: dict[str, dict] = {}
    vendors = set(doc.get("vendors", {}))
    for s_index, section in enumerate(doc["sections"]):
        for q_index, question in enumerate(section["questions"]):
            path = f"sections[{s_index}].questions[{q_index}]"
            errors += _check_question(question, path, vendors)
            if "show_if" in question:
                errors += _check_condition(question["show_if"], f"{path}.show_if", seen)
            seen[question["key"]] = question
    for r_index, rec in enumerate(doc.get("recommendations", ())):
        errors += _check_condition(rec["when"], f"recommendations[{r_index}].when", seen)
    for key in _duplicates([r["key"] for r in doc.get("recommendations", ())]):
        errors.append(f"recommendations: duplicate recommendation key '{key}'")
    errors += _check_exposure(doc, seen)
    errors += _check_ai_act(doc, seen)
    return errors


def _check_levels(doc: dict) -> list[str]:
    levels = doc["levels"]
    if not levels["medium"] < levels["high"] < levels["critical"]:
        return ["levels: must rise: medium < high < critical"]
    return []


def _check_question(question: dict, path: str, vendors: set[str]) -> list[str]:
    errors: list[str] = []
    kind = question["type"]
    options = question.get("options")
    if kind in {"single_choice", "multi_choice"}:
        if not options or len(options) < 2:
            errors.append(f"{path}.options: a {kind} question needs at least two options")
    elif options is not None:
        errors.append(f"{path}.options: only choice questions have options")
    for o_index, option in enumerate(options or ()):
        if option["key"] in RESERVED:
            errors.append(
                f"{path}.options[{o_index}].key: '{option['key']}' is reserved "
                "(use allow_unknown / allow_na)"
            )
        for vendor in option.get("vendors", ()):
            if vendor not in vendors:
                errors.append(f"{path}.options[{o_index}].vendors: unknown vendor '{vendor}'")
    for key in _duplicates([o["key"] for o in options or ()]):
        errors.append(f"{path}.options: duplicate option key '{key}'")
    if kind == "yes_no":
        for branch in ("yes", "no"):
            if branch not in question:
                errors.append(f"{path}: '{branch}' is required for a yes_no question")
    if kind == "scale":
        errors += _check_scale(question, path)
    if kind == "number":
        errors += _check_number(question, path)
    if kind == "repeat_group":
        errors += _check_group(question, path, vendors)
    elif "fields" in question:
        errors.append(f"{path}.fields: only a repeat_group has fields")
    return errors


def _check_scale(question: dict, path: str) -> list[str]:
    low, high = question.get("min", 1), question.get("max", 5)
    if low != int(low) or high != int(high) or low >= high:
        return [f"{path}: a scale needs whole numbers with min < max"]
    steps = int(high - low + 1)
    return [
        f"{path}.scores.{dim}: needs {steps} values (one per step), got {len(values)}"
        for dim, values in (question.get("scores") or {}).items()
        if len(values) != steps
    ]


def _check_number(question: dict, path: str) -> list[str]:
    if "min" not in question or "max" not in question:
        return [f"{path}: a number question needs 'min' and 'max'"]
    if question["min"] >= question["max"]:
        return [f"{path}: min must be below max"]
    bands = question.get("bands") or []
    if not bands:
        return []
    bounds = [b.get("upto") for b in bands]
    finite = [b for b in bounds if b is not None]
    if finite != sorted(finite) or None in bounds[:-1]:
        return [f"{path}.bands: bands must rise and only the last may be open (upto: null)"]
    if bounds[-1] is not None and bounds[-1] < question["max"]:
        return [
            f"{path}.bands: the bands end at {bounds[-1]} but answers go up to {question['max']}"
        ]
    return []


def _check_group(question: dict, path: str, vendors: set[str]) -> list[str]:
    fields = question.get("fields") or []
    if not fields:
        return [f"{path}.fields: a repeat_group needs fields"]
    errors = []
    for f_index, field in enumerate(fields):
        if field["type"] not in REPEAT_FIELD_TYPES:
            errors.append(
                f"{path}.fields[{f_index}].type: '{field['type']}' is not supported in a group "
                f"(use {', '.join(sorted(REPEAT_FIELD_TYPES))})"
            )
        if "show_if" in field:
            errors.append(f"{path}.fields[{f_index}].show_if: fields of a group have no conditions")
        errors += _check_question(field, f"{path}.fields[{f_index}]", vendors)
    for key in _duplicates([f["key"] for f in fields]):
        errors.append(f"{path}.fields: duplicate field key '{key}'")
    return errors


def _check_condition(cond, path: str, seen: dict[str, dict]) -> list[str]:
    if not isinstance(cond, dict) or not cond:
        return [f"{path}: a condition must be a mapping"]
    for combinator in ("all", "any"):
        if combinator in cond:
            if len(cond) != 1 or not isinstance(cond[combinator], list) or not cond[combinator]:
                return [f"{path}.{combinator}: needs a non-empty list of conditions"]
            errors = []
            for index, sub in enumerate(cond[combinator]):
                errors += _check_condition(sub, f"{path}.{combinator}[{index}]", seen)
            return errors
    if "not" in cond:
        if len(cond) != 1:
            return [f"{path}.not: 'not' stands alone"]
        return _check_condition(cond["not"], f"{path}.not", seen)
    key = cond.get("q")
    if key is None:
        return [f"{path}: 'q' (the question) is required"]
    question = seen.get(key)
    if question is None:
        return [f"{path}: unknown question '{key}' (or it does not come earlier)"]
    operators = set(cond) - {"q"}
    if len(operators) != 1:
        return [f"{path}: needs exactly one operator, got {sorted(operators) or 'none'}"]
    (op,) = operators
    return _check_operator(question, op, cond[op], path)


def _check_operator(question: dict, op: str, operand, path: str) -> list[str]:
    kind = question["type"]
    options = _option_keys(question)
    special = {"unknown", "na"}
    if op == "answered":
        return [] if isinstance(operand, bool) else [f"{path}.answered: must be true or false"]
    if op == "includes":
        if kind != "multi_choice":
            return [
                f"{path}.includes: only for multi_choice questions ('{question['key']}' is {kind})"
            ]
        if operand not in options:
            return [f"{path}.includes: '{question['key']}' has no option '{operand}'"]
        return []
    if op in ("equals", "in"):
        values = operand if op == "in" else [operand]
        if op == "in" and not isinstance(operand, list):
            return [f"{path}.in: needs a list"]
        if kind in CHOICE_TYPES:
            bad = [v for v in values if v not in options | special]
            if bad:
                return [f"{path}.{op}: '{question['key']}' has no option '{bad[0]}'"]
        return []
    if op in COMPARISONS:
        if kind not in {"number", "scale"}:
            return [f"{path}.{op}: only for number and scale questions"]
        if isinstance(operand, bool) or not isinstance(operand, int | float):
            return [f"{path}.{op}: needs a number"]
        return []
    if op == "any_row":
        if kind != "repeat_group":
            return [f"{path}.any_row: only for repeat_group questions"]
        fields = {f["key"]: f for f in question.get("fields", ())}
        if not isinstance(operand, dict) or operand.get("field") not in fields:
            return [f"{path}.any_row.field: unknown field of '{question['key']}'"]
        field = fields[operand["field"]]
        ops = set(operand) - {"field"}
        if len(ops) != 1 or next(iter(ops)) not in ("equals", "in"):
            return [f"{path}.any_row: needs 'equals' or 'in'"]
        (row_op,) = ops
        return _check_operator(field, row_op, operand[row_op], f"{path}.any_row")
    return [f"{path}: unknown operator '{op}'"]


def _check_exposure(doc: dict, seen: dict[str, dict]) -> list[str]:
    exposure = doc.get("exposure")
    if not exposure:
        return []
    errors = []
    weights = exposure["question_weights"]
    for key in weights:
        if key not in seen:
            errors.append(f"exposure.question_weights: unknown question '{key}'")
    if abs(sum(weights.values()) - 1) > 1e-6:
        errors.append(
            f"exposure.question_weights: weights must add up to 1, they add up to "
            f"{round(sum(weights.values()), 4)}"
        )
    return errors


def _check_ai_act(doc: dict, seen: dict[str, dict]) -> list[str]:
    ai_act = doc.get("ai_act")
    if not ai_act or "use_case_question" not in ai_act:
        return []
    key = ai_act["use_case_question"]
    if key not in seen:
        return [f"ai_act.use_case_question: unknown question '{key}'"]
    if seen[key]["type"] != "repeat_group":
        return [f"ai_act.use_case_question: '{key}' must be a repeat_group"]
    return []
