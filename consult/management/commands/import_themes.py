"""Import a coding framework for a question and sign it off as the themes in force."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consult.models import Consultation, Question
from consult.services.frameworks import FrameworkError, import_framework, read_framework_csv


def choose_question(consultation: Consultation, chosen: str) -> Question:
    """The question `--question` names: its number as officials see it ("Question 2"), or its
    text as `import_responses --question` gives it; without one, the only free-text question."""
    free_text = list(consultation.questions.filter(kind=Question.Kind.FREE_TEXT).order_by("position"))
    if chosen:
        question = consultation.questions.filter(position=int(chosen)).first() if chosen.isdigit() else None
        question = question or next((q for q in free_text if q.text == chosen), None)
        if question is None:
            raise CommandError(f"{consultation.slug} has no question {chosen!r}.")
        if not question.is_free_text:
            raise CommandError(f"Question {question.position} is not a free-text question, so it has no themes.")
        return question
    if len(free_text) == 1:
        return free_text[0]
    if not free_text:
        raise CommandError(f"{consultation.slug} has no free-text question.")
    listed = "; ".join(f"{q.position}: {q.text}" for q in free_text)
    raise CommandError(
        f"{consultation.slug} has {len(free_text)} free-text questions ({listed}). Choose one with --question N."
    )


class Command(BaseCommand):
    help = (
        "Import a coding framework (CSV columns: label, description (optional), examples (optional: "
        '"|"-separated external ids of answers in that theme)) for a question, and sign it off as the themes in force.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("framework", type=Path, help="UTF-8 CSV file, with or without a byte order mark")
        parser.add_argument(
            "--question",
            default="",
            help="the question's number as officials see it (1 is the first question), or its text; "
            "by default the consultation's only free-text question",
        )

    def handle(self, *args: object, **options: object) -> None:
        consultation = Consultation.objects.filter(slug=options["slug"]).first()
        if consultation is None:
            raise CommandError(f"There is no consultation {options['slug']!r}.")
        question = choose_question(consultation, str(options["question"]))
        path: Path = options["framework"]  # type: ignore[assignment]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start}).") from None
        try:
            rows = read_framework_csv(text)
            theme_set = import_framework(question, rows, None)
        except FrameworkError as error:
            raise CommandError("\n".join(error.problems)) from None
        examples = sum(len(row.examples) for row in rows)
        self.stdout.write(
            f"Imported {len(rows)} themes (and Other) for question {question.position} of {consultation.slug}, "
            f"with {examples} example answers, and signed them off as the themes in force "
            f"(mapping: {theme_set.get_mapping_status_display().lower()})."
        )
