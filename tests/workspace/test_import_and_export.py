"""The operators' command line: import responses from CSV, analyse, export."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consult.models import Answer, Consultation, Phase, Response
from tests import corpus

# Transactional: `analyse` queues its task on commit, as it does for an operator.
pytestmark = pytest.mark.django_db(transaction=True)


def analyse(*args: str, stdout: io.StringIO) -> None:
    call_command("analyse", *args, stdout=stdout)


def write_csv(path, rows, header=("id", "text"), bom=False):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_import_creates_a_closed_consultation_and_keeps_external_ids(tmp_path):
    path = write_csv(
        tmp_path / "in.csv", [("a1", "First answer."), ("a2", ""), ("a3", "Third, with 07700 900123.")], bom=True
    )
    out = io.StringIO()
    call_command(
        "import_responses",
        str(path),
        "--consultation",
        "imported-set",
        "--text-column",
        "text",
        "--id-column",
        "id",
        "--question",
        "What do you think?",
        stdout=out,
    )
    assert "Imported 2 responses" in out.getvalue()
    consultation = Consultation.objects.get(slug="imported-set")
    assert consultation.phase is Phase.CLOSED
    question = consultation.questions.get()
    assert question.text == "What do you think?"
    assert sorted(Response.objects.values_list("external_id", flat=True)) == ["a1", "a3"]
    assert set(Response.objects.values_list("status", flat=True)) == {"submitted"}
    third = Answer.objects.get(response__external_id="a3")
    assert third.text == "Third, with 07700 900123."
    assert "07700" not in third.redacted_text and third.has_personal_data


def test_import_into_an_existing_question_adds_to_it(tmp_path):
    path = write_csv(tmp_path / "in.csv", [("1", "One.")])
    for _ in range(2):
        call_command(
            "import_responses", str(path), "--consultation", "again", "--text-column", "text", stdout=io.StringIO()
        )
    assert Consultation.objects.get(slug="again").questions.count() == 1
    assert Response.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        ("id,text\n1,hello\n", ["--text-column", "answer"], "There is no column 'answer'"),
        ("id,text\n1,hello\n", ["--text-column", "text", "--id-column", "ref"], "There is no column 'ref'"),
        ("id,text\n1,hello,extra\n", ["--text-column", "text"], "Row 2 has a different number of fields"),
        ('id,text\n1,"unclosed\n', ["--text-column", "text"], "not a well-formed CSV file"),
        ("", ["--text-column", "text"], "The file has no rows"),
    ],
)
def test_a_bad_file_is_a_clear_error_and_imports_nothing(tmp_path, content, arguments, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_responses", str(path), "--consultation", "bad", *arguments)
    assert not Response.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,text\n1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_responses", str(path), "--consultation", "bad", "--text-column", "text")
    assert not Response.objects.exists()


def import_corpus(tmp_path, extra_rows=()) -> Consultation:
    """The test corpus (120 answers on four subjects, external ids ext-0...) and `extra_rows`,
    imported as the operator would."""
    rows = [(f"ext-{n}", text) for n, (_, text) in enumerate(corpus.answers(per_subject=30))]
    path = write_csv(tmp_path / "corpus.csv", [*rows, *extra_rows])
    call_command(
        "import_responses",
        str(path),
        "--consultation",
        "corpus",
        "--text-column",
        "text",
        "--id-column",
        "id",
        stdout=io.StringIO(),
    )
    return Consultation.objects.get(slug="corpus")


@pytest.fixture
def imported(tmp_path):
    return import_corpus(tmp_path)


def test_analyse_waits_and_export_writes_the_documented_json(imported, django_capture_on_commit_callbacks):
    out = io.StringIO()
    analyse("corpus", "--wait", stdout=out)
    assert "succeeded" in out.getvalue()
    exported = io.StringIO()
    call_command("export_analysis", "corpus", "--format", "json", stdout=exported)
    data = json.loads(exported.getvalue())
    assert data["consultation"] == "corpus"
    (question,) = data["questions"]
    assert question["text"] == "Your response"
    assert 2 <= len(question["themes"]) <= 40
    for theme in question["themes"]:
        assert set(theme) >= {"id", "label", "keywords", "count"}
        assert theme["keywords"]
    assert len(question["responses"]) == 120
    theme_ids = {theme["id"] for theme in question["themes"]}
    unassigned = 0
    for response in question["responses"]:
        assert set(response) >= {"external_id", "reference", "themes", "campaign"}
        assert set(response["themes"]) <= theme_ids
        unassigned += not response["themes"]
    assert unassigned <= 12


def test_export_csv_has_one_row_per_response_and_question(imported, django_capture_on_commit_callbacks):
    analyse("corpus", "--wait", stdout=io.StringIO())
    exported = io.StringIO()
    call_command("export_analysis", "corpus", "--format", "csv", stdout=exported)
    rows = list(csv.DictReader(io.StringIO(exported.getvalue())))
    assert len(rows) == 120
    assert {row["external_id"] for row in rows} == {f"ext-{n}" for n in range(120)}


def test_analyse_with_a_theme_cap_respects_it(imported, django_capture_on_commit_callbacks):
    analyse("corpus", "--wait", "--max-themes", "2", stdout=io.StringIO())
    exported = io.StringIO()
    call_command("export_analysis", "corpus", stdout=exported)
    assert len(json.loads(exported.getvalue())["questions"][0]["themes"]) <= 2


def test_export_before_any_analysis_is_a_clear_error(imported):
    with pytest.raises(CommandError, match="no finished analysis yet"):
        call_command("export_analysis", "corpus")


def test_analyse_an_unknown_consultation_is_a_clear_error():
    with pytest.raises(CommandError, match="There is no consultation 'nope'"):
        call_command("analyse", "nope", "--wait")


def test_export_counts_non_answers_apart_and_cites_its_summary_by_external_id(
    tmp_path, django_capture_on_commit_callbacks
):
    import_corpus(
        tmp_path, [("na-1", "N/A"), ("na-2", "Nothing to add."), ("na-3", "See above"), ("na-4", "No comment")]
    )
    analyse("corpus", "--wait", stdout=io.StringIO())
    exported = io.StringIO()
    call_command("export_analysis", "corpus", "--format", "json", stdout=exported)
    data = json.loads(exported.getvalue())
    (question,) = data["questions"]
    assert question["non_answers"] == 4
    by_id = {response["external_id"]: response for response in question["responses"]}
    for external_id in ("na-1", "na-2", "na-3", "na-4"):
        assert by_id[external_id]["substantive"] is False
        assert by_id[external_id]["themes"] == []
        assert by_id[external_id]["campaign"] is None
    assert all(by_id[f"ext-{n}"]["substantive"] for n in range(120))
    for theme in question["themes"]:
        assert theme["description"]
    assert question["summary"]
    for sentence in question["summary"]:
        assert sentence["text"] and sentence["external_ids"]
        assert set(sentence["external_ids"]) <= {f"ext-{n}" for n in range(120)}
    # Nothing is in force but the run's candidates, and no one has changed anything yet: the trail
    # holds only the request for the run, made from the command line.
    assert question["reviewed_themes"] == []
    assert all(response["mapped_themes"] == [] for response in question["responses"])
    assert [(change["action"], change["by"]) for change in data["changes"]] == [("analysis.request", "the system")]
