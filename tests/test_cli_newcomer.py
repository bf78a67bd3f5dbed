"""What a newcomer met on the command line: an empty folder given to `compare align` is said, in
one line naming it, instead of a run that looks finished; a database already there keeps its rows."""
from conftest import EXAMPLES, rows


def test_align_of_an_empty_folder_says_so_and_keeps_what_is_stored(run, tmp_path):
    run("align", "--model", "hashing", "--silent", "-d", "c.db", EXAMPLES / "01_jiading_plan.txt")
    before = rows(str(tmp_path / "c.db"), "SELECT id FROM documents ORDER BY id")
    (tmp_path / "empty").mkdir()
    (tmp_path / "hidden").mkdir()
    (tmp_path / "hidden" / ".keep").write_text("", encoding="utf-8")
    for folder in ("empty", "hidden"):
        out = run("align", "--model", "hashing", "-d", "c.db", tmp_path / folder).output
        said = [line for line in out.splitlines() if f"{folder}: " in line]
        assert len(said) == 1, out
        assert "no files in this folder" in said[0] and ".docx" in said[0] and "Traceback" not in out, out
        assert rows(str(tmp_path / "c.db"), "SELECT id FROM documents ORDER BY id") == before


def test_a_folder_with_documents_gets_no_such_warning(run, tmp_path):
    out = run("align", "--model", "hashing", "-d", "c.db", EXAMPLES).output
    assert "no files in this folder" not in out and "warning" not in out, out
    assert rows(str(tmp_path / "c.db"), "SELECT count(*) FROM documents")[0][0] == len(
        [p for p in EXAMPLES.iterdir() if not p.name.startswith(".")])


def test_a_wrong_as_of_names_the_value_and_the_form_and_nothing_is_created(run, tmp_path):
    for value in ("2026-02-30", "yesterday", "2026/11/30"):
        for command in ("align", "status"):
            out = run(command, "--as-of", value, "-d", "c.db", EXAMPLES, ok=False).output if command == "align" \
                else run(command, "--as-of", value, "-d", "c.db", ok=False).output
            error = [line for line in out.splitlines() if line.startswith("Error:")]
            assert len(error) == 1 and value in error[0] and "YYYY-MM-DD" in error[0], out
            assert "%Y" not in out and "Traceback" not in out, out
            assert not (tmp_path / "c.db").exists()


def test_a_right_as_of_judges_at_that_date(run, tmp_path):
    run("align", "--model", "hashing", "--silent", "--as-of", "2026-05-31", "-d", "c.db", EXAMPLES)
    assert {a for (a,) in rows(str(tmp_path / "c.db"), "SELECT DISTINCT as_of FROM statuses")} == {"2026-05-31"}
    run("status", "--as-of", "2026-12-01", "-d", "c.db")
    assert {a for (a,) in rows(str(tmp_path / "c.db"), "SELECT DISTINCT as_of FROM statuses")} == {"2026-12-01"}


def test_a_missing_path_is_one_error_line_naming_it_and_the_fix(run, tmp_path):
    out = run("align", "--model", "hashing", "-d", "c.db", tmp_path / "typo-folder", ok=False).output
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "typo-folder" in errors[0] and "check the path" in errors[0], out
    assert "Traceback" not in out
