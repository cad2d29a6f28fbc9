"""GOV.UK Design System markup for Django forms."""

from django import forms, template
from django.forms.boundfield import BoundField

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
def govuk_field(field: BoundField, heading: bool = False, hint: str = "", classes: str = "") -> dict[str, object]:
    """One field with its label (or legend), hint, error message and input.

    `heading` makes the label the page's heading, as in the one-question-per-page pattern.
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
        options = [
            {
                "id": f"{field.auto_id}_{index}",
                "value": str(choice_value),
                "label": label,
                "checked": str(choice_value) in selected,
            }
            for index, (choice_value, label) in enumerate(field.field.choices)
            if str(choice_value) != ""
        ]
    else:
        options = []
    return {
        "field": field,
        "kind": kind,
        "heading": heading,
        "hint": hint_text,
        "classes": classes,
        "described_by": " ".join(described_by),
        "max_length": max_length if kind == "textarea" else None,
        "value": "" if value is None else value,
        "options": options,
        "input_type": getattr(widget, "input_type", "text"),
        "autocomplete": widget.attrs.get("autocomplete", ""),
    }
