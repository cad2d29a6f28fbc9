"""GOV.UK Design System markup for Django forms."""

from dataclasses import dataclass

from django import forms, template
from django.core.paginator import Page
from django.forms.boundfield import BoundField

from consult import dates
from consult.queries.workspace.responses import PageLink

register = template.Library()


def _is_choice(field: BoundField) -> bool:
    return isinstance(field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))


def field_anchor(field: BoundField) -> str:
    """Where the error summary links to: the field, or the first of its radios or checkboxes."""
    return f"{field.auto_id}_0" if _is_choice(field) else field.auto_id


@register.inclusion_tag("includes/govuk/error_summary.html")
def govuk_error_summary(*forms_: forms.Form) -> dict[str, object]:
    errors = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for error in form.non_field_errors():
            errors.append({"href": "", "text": error})
        for field in form:
            for error in field.errors:
                errors.append({"href": "#" + field_anchor(field), "text": error})
    return {"errors": errors}


@register.inclusion_tag("includes/govuk/field.html")
def govuk_field(
    field: BoundField, heading: bool = False, hint: str = "", classes: str = "", caption: str = ""
) -> dict[str, object]:
    """One field with its label (or legend), hint, error message and input.

    `heading` makes the label the page's heading, as in the one-question-per-page pattern, and
    `caption` goes inside it, so that screen readers announce it with the question.
    """
    widget = field.field.widget
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it must be tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        kind = "checkboxes"
    elif isinstance(widget, forms.RadioSelect):
        kind = "radios"
    elif isinstance(widget, forms.Textarea):
        kind = "textarea"
    else:
        kind = "input"
    max_length = getattr(field.field, "max_length", None)
    described_by = []
    hint_text = hint or field.help_text
    if hint_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    if kind == "textarea" and max_length:
        described_by.append(f"{field.auto_id}-info")
    value = field.value()
    if kind in ("radios", "checkboxes"):
        selected = {str(v) for v in value} if isinstance(value, (list, tuple)) else {str(value)}
        # Checkboxes' exclusive options (`forms.respond.ExclusiveMultipleChoiceField`) follow the
        # others, after an "or" divider.
        exclusive = {str(pk) for pk in getattr(field.field, "exclusive", ())}
        options = [
            {
                "id": f"{field.auto_id}_{index}",
                "value": str(choice_value),
                "label": label,
                "checked": str(choice_value) in selected,
                "is_exclusive": str(choice_value) in exclusive,
            }
            for index, (choice_value, label) in enumerate(field.field.choices)
            if str(choice_value) != ""
        ]
        for index, option in enumerate(options):
            option["follows_divider"] = option["is_exclusive"] and index > 0 and not options[index - 1]["is_exclusive"]
    else:
        options = []
    return {
        "field": field,
        "kind": kind,
        "heading": heading,
        "caption": caption,
        "hint": hint_text,
        "classes": classes,
        "described_by": " ".join(described_by),
        "max_length": max_length if kind == "textarea" else None,
        "value": "" if value is None else value,
        "options": options,
        "input_type": getattr(widget, "input_type", "text"),
        "autocomplete": widget.attrs.get("autocomplete", ""),
    }


# How dates and times read, in GOV.UK style (consult.dates), as filters for the templates.
register.filter("govuk_datetime", dates.govuk_datetime)
register.filter("govuk_weekday_date", dates.govuk_weekday_date)
register.filter("govuk_date_time", dates.govuk_date_time)


@dataclass(frozen=True)
class PageNavigation:
    """What workspace/includes/page_navigation.html draws."""

    has_previous: bool
    previous_href: str
    has_next: bool
    next_href: str
    links: list[PageLink]


@register.filter
def page_navigation(page: Page, query_string: str = "") -> PageNavigation:
    """GOV.UK pagination links for a Django page, keeping the other query parameters, with the
    pages around the current one and ellipses between, so that 5,000 pages do not draw 5,000 links."""
    prefix = f"?{query_string}&page=" if query_string else "?page="
    links = [
        PageLink(None)
        if number == page.paginator.ELLIPSIS
        else PageLink(number, f"{prefix}{number}", number == page.number)
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return PageNavigation(
        has_previous=page.has_previous(),
        previous_href=f"{prefix}{page.previous_page_number()}" if page.has_previous() else "",
        has_next=page.has_next(),
        next_href=f"{prefix}{page.next_page_number()}" if page.has_next() else "",
        links=links,
    )
