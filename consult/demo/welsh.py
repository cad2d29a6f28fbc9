"""The demo in Welsh. The closed housing consultation and its published outcome have Welsh versions,
as a council in Wales would publish them, so `make demo` shows the Welsh pages (under /cy/) with
their own text. Its AI tool record is not translated, as often happens, so the Welsh page shows
that part in English, marked as English: the fallback is part of what the demo shows."""

from __future__ import annotations

from consult.demo.housing import CHANNELS, HOUSING
from consult.models import Consultation, Department, Option, ReviewTheme

DEPARTMENT_NAMES = {"housing-and-neighbourhoods": "Y Weinyddiaeth Tai a Chymdogaethau"}

HOUSING_TITLE = "Defnyddio AI i drefnu ceisiadau atgyweirio tai cyngor yn ôl pa mor frys ydynt"
HOUSING_SUMMARY = (
    "Mae Cyngor Bwrdeistref Millbridge yn cael tua 6,000 o geisiadau atgyweirio y mis gan ei "
    "denantiaid. Rydym yn cynnig, gyda chefnogaeth y Weinyddiaeth Tai a Chymdogaethau, dreialu "
    "adnodd AI sy'n darllen pob cais ac yn awgrymu pa mor frys ydyw a pha grefft ddylai ddelio ag ef.\n\n"
    "Ar hyn o bryd mae pob cais yn aros mewn ciw nes y gall swyddog atgyweirio ei ddarllen. Ar "
    "ddydd Llun prysur gall hynny gymryd dau ddiwrnod, hyd yn oed ar gyfer problemau y dylid eu "
    "trwsio o fewn 24 awr. Byddai'r adnodd yn darllen ceisiadau cyn gynted ag y maent yn cyrraedd ac "
    "yn rhoi'r rhai sy'n edrych yn frys ar y brig.\n\n"
    "Byddai swyddog atgyweirio yn dal i wirio pob awgrym cyn trefnu gwaith, a gallai tenantiaid "
    "barhau i roi gwybod am atgyweiriadau ym mhob ffordd y maent yn ei wneud nawr. Rydym eisiau "
    "gwybod beth mae tenantiaid yn ei feddwl, a beth fyddai'n rhoi hyder iddynt na fyddai "
    "atgyweiriadau brys, yn enwedig lleithder, llwydni, gollyngiadau a cholli gwres, byth yn cael eu methu."
)
# Each question's English text, and its Welsh text and hint.
HOUSING_QUESTIONS = {
    HOUSING.questions[0].text: (
        "I ba raddau ydych chi'n cytuno y dylai'r cyngor ddefnyddio AI i helpu i drefnu ceisiadau "
        "atgyweirio yn ôl pa mor frys ydynt?",
        "",
    ),
    HOUSING.questions[1].text: ("Pam rydych chi'n dweud hynny?", ""),
    HOUSING.questions[2].text: ("Sut rydych chi fel arfer yn rhoi gwybod am atgyweiriad?", ""),
    HOUSING.questions[3].text: (
        "Beth fyddai'n rhoi hyder i chi na fydd atgyweiriadau brys yn cael eu methu?",
        "Er enghraifft, pwy ddylai wirio'r adnodd a beth ddylid ei ddweud wrth denantiaid.",
    ),
}
HOUSING_OPTIONS = dict(
    zip(
        CHANNELS,
        (
            "Dros y ffôn",
            "Ffurflen ar-lein neu ap",
            "Drwy e-bost",
            "Wyneb yn wyneb i swyddog tai neu ofalwr",
            "Nid wyf yn rhentu gan y cyngor",
        ),
        strict=True,
    )
)

OUTCOME = {
    "summary_cy": (
        "Roedd y farn yn rhanedig. Mae llawer o'r bobl a ymatebodd yn derbyn y gallai meddalwedd helpu i "
        "drefnu ceisiadau atgyweirio, cyn belled â bod person yn dal i benderfynu ar unrhyw beth brys, "
        "bod tenantiaid yn gallu siarad â rhywun bob amser, a bod y cyngor yn esbonio sut mae'r adnodd yn trefnu cais. "
        "Roedd llawer yn poeni y byddai'r adnodd yn camfarnu ceisiadau wedi'u hysgrifennu mewn Saesneg "
        "syml neu ansafonol, ac y byddai lleithder a llwydni'n cael eu trin fel rhai llai brys nag y maent."
    ),
    "decision_cy": (
        "Byddwn yn defnyddio'r adnodd dim ond i awgrymu trefn ar gyfer atgyweiriadau arferol. Bydd swyddog "
        "tai yn gwirio pob cais y mae'r adnodd yn ei nodi fel un nad yw'n frys cyn ei drefnu, a bydd pob "
        "cais am leithder, llwydni, gwres, dŵr neu drydan yn mynd yn syth at berson. Byddwn yn cyhoeddi "
        "sut mae'r adnodd yn trefnu ceisiadau ac yn adrodd bob chwe mis pa mor aml y newidiodd swyddogion "
        "ei awgrymiadau, wedi'i ddadansoddi yn ôl sut y gwnaed y cais."
    ),
}
# The demo lead's themes (`consult.demo.outcome.THEME_NAMES`), by English label: Welsh label and description.
THEMES = {
    "Urgent repairs could be missed": (
        "Gallai atgyweiriadau brys gael eu methu",
        "Barnu bod lleithder, llwydni, gollyngiadau a gwres yn llai brys nag y maent.",
    ),
    "A person must still check": (
        "Rhaid i berson wirio o hyd",
        "Dylai swyddogion wirio awgrymiadau'r adnodd a pharhau i benderfynu.",
    ),
    "Photos of people's homes": (
        "Lluniau o gartrefi pobl",
        "Pryderon am yr adnodd yn edrych ar luniau o gartrefi, a'u cadw.",
    ),
    "Fairness between tenants": (
        "Tegwch rhwng tenantiaid",
        "Gallai rhai tenantiaid, ystadau neu ffyrdd o ysgrifennu gael gwasanaeth gwaeth.",
    ),
    "Fix the repairs service first": (
        "Trwsio'r gwasanaeth atgyweirio yn gyntaf",
        "Y gwasanaeth atgyweirio a'i gontractwyr yw'r broblem go iawn.",
    ),
}


def add_welsh_versions(consultation: Consultation) -> None:
    """Give the demo consultation its Welsh versions, where the demo has them."""
    if consultation.slug != HOUSING.slug:
        return
    department: Department = consultation.department
    department.name_cy = DEPARTMENT_NAMES.get(department.slug, "")
    department.save(update_fields=["name_cy"])
    consultation.title_cy, consultation.summary_cy = HOUSING_TITLE, HOUSING_SUMMARY
    consultation.save(update_fields=["title_cy", "summary_cy"])
    for question in consultation.questions.all():
        question.text_cy, question.hint_cy = HOUSING_QUESTIONS.get(question.text, ("", ""))
        question.save(update_fields=["text_cy", "hint_cy"])
    for option in Option.objects.filter(question__consultation=consultation):
        option.label_cy = HOUSING_OPTIONS.get(option.label, "")
        option.save(update_fields=["label_cy"])


def government_response_cy(theme: ReviewTheme, answer_count: int) -> str:
    """The Welsh of `consult.demo.outcome.government_response`."""
    if theme.is_other and not answer_count:
        return "Roedd pob ateb i'r cwestiwn hwn yn perthyn i un o'r themâu uchod."
    if theme.is_other:
        return (
            "Rydym wedi darllen pob ateb nad oedd yn perthyn i unrhyw un o'r themâu uchod. Roedd sawl un "
            "yn codi pwyntiau am gontractwyr ac amseroedd apwyntiadau, ac rydym wedi'u trosglwyddo i'r "
            "gwasanaeth atgyweirio."
        )
    label = THEMES.get(theme.label, (theme.label, ""))[0]
    return (
        f"Cododd {answer_count:,} o atebion “{label}”. Bydd swyddogion yn adolygu'r pwynt hwn gyda "
        "chynrychiolwyr tenantiaid cyn i'r cynllun peilot ddechrau, a bydd yr adroddiad chwe-misol yn "
        "dweud beth newidiodd o'i herwydd."
    )


def theme_welsh(theme: ReviewTheme, answer_count: int) -> dict[str, str]:
    """A demo theme's Welsh label, description and government response."""
    label, description = THEMES.get(theme.label, ("", ""))
    return {
        "label_cy": label,
        "description_cy": description,
        "government_response_cy": government_response_cy(theme, answer_count),
    }
