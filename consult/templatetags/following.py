"""Whether the signed-in person follows a consultation, for the button on its page (whose view
belongs to the public pages and need not know about following)."""

from django import template

from consult.models import Consultation
from consult.queries import following as queries_following

register = template.Library()


@register.simple_tag(takes_context=True)
def follows_consultation(context: template.Context, consultation: Consultation) -> bool:
    request = context.get("request")
    return request is not None and queries_following.follows_consultation(request.user, consultation)
