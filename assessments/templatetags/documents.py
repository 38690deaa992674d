"""Tags for the document templates (``templates/assessments/documents/``): cite catalogue facts."""

from django import template

from ..documents.drafting import CITATIONS

register = template.Library()


def _citations(context):
    citations = context.get(CITATIONS)
    if citations is None:
        raise template.TemplateSyntaxError("fact tags work only in drafted documents")
    return citations


@register.simple_tag(takes_context=True)
def fact(context, key: str) -> str:
    """The fact's text in the document's language with its reference number: "… [2]"."""
    citations = _citations(context)
    number = citations.cite(key)
    return f"{citations.text(key)} [{number}]" if number else ""


@register.simple_tag(takes_context=True)
def cite(context, *keys: str) -> str:
    """Reference numbers only: "[2]" or "[2, 5]"."""
    citations = _citations(context)
    numbers = [n for n in (citations.cite(key) for key in keys if key) if n]
    return "[" + ", ".join(str(n) for n in sorted(set(numbers))) + "]" if numbers else ""


@register.simple_tag(takes_context=True)
def cite_list(context, keys) -> str:
    """Reference numbers of a list of fact keys (e.g. a screening's facts)."""
    return cite(context, *(keys or ()))


@register.simple_tag(takes_context=True)
def cited_facts(context) -> list[dict]:
    """The facts cited so far, numbered: put the sources list at the end of a template."""
    return _citations(context).entries()


@register.filter
def md(value) -> str:
    """Catalogue or other text as literal Markdown (client values come escaped already)."""
    from ..documents.markup import md as escape

    return escape(value)
