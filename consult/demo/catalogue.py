"""What the demo loads: its departments, and each consultation with the responses written for it."""

from __future__ import annotations

from dataclasses import dataclass

from consult.demo.benefit_phrases import BENEFIT_PHRASES
from consult.demo.benefits import BENEFITS
from consult.demo.housing import HOUSING, HOUSING_PHRASES
from consult.demo.others import DISCHARGE, DRAFT
from consult.demo.specs import ConsultationSpec, DepartmentSpec, Phrasebook

DEPARTMENTS = (
    DepartmentSpec(slug="work-and-welfare", name="Department for Work and Welfare"),
    DepartmentSpec(slug="housing-and-neighbourhoods", name="Ministry for Housing and Neighbourhoods"),
    DepartmentSpec(slug="health-and-care-services", name="Department of Health and Care Services"),
)


@dataclass(frozen=True)
class Plan:
    """A consultation, and how many responses of each kind to write for it from its phrasebook."""

    spec: ConsultationSpec
    book: Phrasebook | None = None
    submitted: int = 0
    campaign_size: int = 0
    drafts: int = 0
    withdrawn: int = 0
    seed: int = 0


PLANS = (
    Plan(BENEFITS, BENEFIT_PHRASES, submitted=336, campaign_size=40, drafts=6, withdrawn=3, seed=2024),
    Plan(HOUSING, HOUSING_PHRASES, submitted=96, drafts=2, withdrawn=1, seed=1066),
    Plan(DISCHARGE),
    Plan(DRAFT),
)

OFFICIAL_EMAIL = "official@example.gov.uk"
OFFICIAL_PASSWORD = "demo-official-password"  # noqa: S105 - published in the README for the demo
# The demo officials' authenticator secret, published so that anyone trying the demo can add it to
# an authenticator app (or run `make demo-code`). Never use a known secret outside the demo.
DEMO_TOTP_SECRET = "CONSULTDEMOTOTPSECRETFORTRYINGIT"  # noqa: S105
# The demo's officials, one per role, all in every demo department: (email, role).
DEMO_OFFICIALS = (
    (OFFICIAL_EMAIL, "lead"),
    ("analyst@example.gov.uk", "analyst"),
    ("moderator@example.gov.uk", "moderator"),
)
