"""The public site in English and Welsh: the language toggle, and the Welsh versions of a
consultation's own text (see `HasWelshVersion` and docs/decisions/0011-welsh.md)."""

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import translate_url
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()

# What the toggle's link says to a screen reader, written in the language it leads to, so it is
# the same whichever language the page is in (the GOV.UK and HMRC language-select pattern).
_CHANGE_TO = {"en-gb": "Change the language to English", "cy": "Newid yr iaith i'r Gymraeg"}
# The BCP 47 tag for each of settings.LANGUAGES, as `lang` and `hreflang` want it.
LANGUAGE_TAGS = {"en-gb": "en-GB", "cy": "cy"}


@register.simple_tag
def language_tag() -> str:
    """The active language as `<html lang>` wants it: en-GB or cy."""
    return LANGUAGE_TAGS.get(get_language() or settings.LANGUAGE_CODE, "en-GB")


@register.inclusion_tag("includes/language_toggle.html", takes_context=True)
def language_toggle(context: template.Context) -> dict[str, object]:
    """Links to this same page in the other language: none on pages that have only one language
    (the workspace), where the address would not change."""
    request: HttpRequest | None = context.get("request")
    current = get_language() or settings.LANGUAGE_CODE
    languages = []
    if request is not None and request.resolver_match is not None:
        path = request.get_full_path()
        for code, name in settings.LANGUAGES:
            href = "" if code == current else translate_url(path, code)
            if href == path:
                return {"languages": []}
            languages.append(
                {"tag": LANGUAGE_TAGS[code], "name": name, "href": _next_in(href, code), "change_to": _CHANGE_TO[code]}
            )
    return {"languages": languages}


def _next_in(href: str, code: str) -> str:
    """The sign-in page's `next` (where the person goes afterwards) in the same language as the
    page the link leads to, so that switching language before signing in is not undone after."""
    parts = urlsplit(href)
    query = QueryDict(parts.query, mutable=True)
    if not query.get("next", "").startswith("/"):
        return href
    query["next"] = translate_url(query["next"], code)
    return urlunsplit(parts._replace(query=query.urlencode(safe="/")))


@register.filter
def localised(value: object, name: str) -> str:
    """A consultation's, question's or AI tool record's field in the page's language; or a part of
    a published outcome's snapshot (a mapping holding `name` and, where written, `name_cy`)."""
    if isinstance(value, Mapping):
        if get_language() != "cy":
            return value.get(name, "")
        if _is_unnamed_other(value, name):
            return gettext("Other")
        return value.get(f"{name}_cy") or value.get(name, "")
    return value.localised(name) if value is not None else ""


def _is_unnamed_other(value: Mapping, name: str) -> bool:
    """The "Other" theme the review adds to every set, with no Welsh label of its own: the Welsh
    page names it in Welsh, like the interface, whatever its English label."""
    return name == "label" and bool(value.get("is_other")) and not value.get("label_cy")


@register.filter
def english_fallback(value: object, name: str) -> SafeString:
    """` lang="en"` for an element whose Welsh page shows the English text, for lack of a Welsh
    version, so that screen readers read it with English pronunciation."""
    if isinstance(value, Mapping):
        shows_english = (
            get_language() == "cy"
            and not value.get(f"{name}_cy")
            and bool(value.get(name))
            and not _is_unnamed_other(value, name)
        )
    else:
        shows_english = value is not None and value.shows_english_for(name)
    return mark_safe(' lang="en"') if shows_english else mark_safe("")
