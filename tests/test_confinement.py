"""Confined paths (red-team finding 5) and clean write errors (finding 9): what the pipeline
reads comes from inside the content project, what it writes lands in it, and a file that
cannot be written is one ``path: error: cannot write: ... [unwritable]`` line, exit 1, no
traceback and nothing half-written."""
from __future__ import annotations

import errno
import os
import pickle
from pathlib import Path

import pytest

from catalog_helpers import issues, msgids, one_issue, pot_path, replace_in
from conftest import SEED, cli
from regenerate_golden import copy_site_project

SLUG = "hydration"
GLASS = "![A glass of water on a table](images/glass.png)"


@pytest.fixture
def site(tmp_path) -> Path:
    """The site project (images, catalogs) in a folder of its own, so that a file written
    beside the project would show."""
    return copy_site_project(tmp_path / "work" / "site")


def build(root: Path, *args: str) -> tuple[int, str, str]:
    return cli(root, "build", "--no-audio", *args)


def files_outside_output(root: Path) -> set[Path]:
    """Every file around the project (its parent folder) except the build's own."""
    return {p for p in root.parent.parent.rglob("*")
            if not p.is_relative_to(root / "output")
            and not p.is_relative_to(root / ".pipeline-cache")}


def page(root: Path, locale: str = "en", slug: str = SLUG) -> str:
    return (root / "output" / locale / f"{slug}.html").read_text(encoding="utf-8")


def no_traceback(err: str) -> None:
    assert "Traceback" not in err, err


def add_image(root: Path, src: str, alt: str = "Stolen file") -> int:
    """Append ``![alt](src)`` as its own paragraph; returns its line."""
    path = root / "source" / f"{SLUG}.md"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(text + f"![{alt}]({src})\n", encoding="utf-8")
    return text.count("\n") + 1


# -- images (finding 5) ------------------------------------------------------------------------

@pytest.mark.parametrize("src", ["../../../etc/passwd", "../pipeline.toml",
                                 "%2e%2e/pipeline.toml", "images/../../pipeline.toml",
                                 "/etc/passwd", "..%2Fpipeline.toml"])
def test_an_image_outside_source_is_an_error_at_its_line_and_the_page_keeps_its_alt(site, src):
    line = add_image(site, src)
    before = files_outside_output(site)
    code, _, err = build(site)
    assert code == 1
    no_traceback(err)
    issue = one_issue(err, "path")
    assert (issue["path"], issue["line"], issue["severity"]) == (
        f"source/{SLUG}.md", str(line), "error")
    assert issue["message"] == f"image '{src}' is outside source/"
    # nothing copied: not beside the project, not into output/
    assert files_outside_output(site) == before
    published = {p.relative_to(site / "output").as_posix()
                 for p in (site / "output").rglob("*") if p.is_file()}
    assert {p for p in published if p.startswith("media/")} == {"media/images/glass.png"}
    assert not [p for p in published if "passwd" in p or p.endswith(".toml")]
    # the page is built without the image; what it showed is still said
    html = page(site)
    assert "<p>Stolen file</p>" in html
    assert "passwd" not in html and "pipeline.toml" not in html
    assert html.count("<img ") == 1


def test_extract_reports_the_image_and_keeps_its_alt_text_for_translators(site):
    line = add_image(site, "../pipeline.toml")
    code, _, err = cli(site, "extract")
    assert code == 1
    issue = one_issue(err, "path")
    assert (issue["path"], issue["line"]) == (f"source/{SLUG}.md", str(line))
    assert "Stolen file" in msgids(pot_path(site, SLUG))


def test_an_article_in_a_subfolder_may_not_climb_out_of_its_folder_or_source(site):
    sub = site / "source" / "topics"
    sub.mkdir()
    (sub / "cups.md").write_text(
        "---\ntitle: Cups\n---\n\nText.\n\n![Up one](../images/glass.png)\n\n"
        "![Up two](../../pipeline.toml)\n\n![Beside](cup.png)\n", encoding="utf-8")
    (site / "source" / "images" / "glass.png").replace(sub / "cup.png")
    replace_in(site / "source" / f"{SLUG}.md", GLASS, "")
    code, _, err = build(site)
    assert code == 1
    found = {(i["line"], i["message"]) for i in issues(err) if i["code"] == "path"}
    assert found == {
        ("7", "image '../images/glass.png' is outside its article's folder; put it beside "
              "or below the article"),
        ("9", "image '../../pipeline.toml' is outside source/")}, err
    assert (site / "output" / "media" / "cup.png").is_file()
    assert not (site / "output" / "pipeline.toml").exists()
    assert not (site / "pipeline.toml.png").exists()


def test_an_image_linked_outside_the_project_is_refused(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (site / "source" / "images" / "leak.png").symlink_to(secret)
    line = add_image(site, "images/leak.png")
    code, _, err = build(site)
    assert code == 1
    issue = one_issue(err, "path")
    assert (issue["path"], issue["line"]) == (f"source/{SLUG}.md", str(line))
    assert issue["message"] == ("image 'images/leak.png' is a symbolic link to a file outside "
                                "the project")
    assert not (site / "output" / "media" / "images" / "leak.png").exists()
    assert "private" not in page(site)
    assert "<p>Stolen file</p>" in page(site) and page(site).count("<img ") == 1
    assert (site / "output" / "media" / "images" / "glass.png").is_file()


def test_an_image_linked_inside_the_project_is_published(site):
    (site / "source" / "images" / "same.png").symlink_to("glass.png")
    add_image(site, "images/same.png", "The same glass")
    code, _, err = build(site)
    assert code == 0, err
    media = site / "output" / "media" / "images"
    assert (media / "same.png").read_bytes() == (media / "glass.png").read_bytes()
    assert not (media / "same.png").is_symlink()


def test_a_link_made_after_the_last_build_is_refused_when_copying(site, tmp_path):
    """The build reuses an unchanged source's parse, so the copy checks again."""
    code, _, err = build(site)
    assert code == 0, err
    glass = site / "source" / "images" / "glass.png"
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"private")
    glass.unlink()
    glass.symlink_to(secret)
    code, _, err = build(site)
    assert code == 1
    issue = one_issue(err, "path")
    assert issue["message"].startswith("image 'images/glass.png' is a symbolic link")
    copy = site / "output" / "media" / "images" / "glass.png"
    assert not copy.exists() or copy.read_bytes() != b"private"


# -- sources, catalogs, templates (finding 5) --------------------------------------------------

def test_a_source_linked_outside_the_project_is_refused_and_the_others_build(site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\n\nPrivate words.\n", encoding="utf-8")
    (site / "source" / "secret.md").symlink_to(secret)
    code, _, err = build(site)
    assert code == 1
    issue = one_issue(err, "path")
    assert issue["path"] == "source/secret.md"
    assert issue["message"] == ("is a symbolic link to a file outside the project; it is not "
                                "read")
    assert not (site / "output" / "en" / "secret.html").exists()
    assert "Staying Hydrated" in page(site)
    code, _, err = cli(site, "extract")
    assert code == 1 and one_issue(err, "path")["path"] == "source/secret.md"
    assert not pot_path(site, "secret").exists()


def test_a_source_folder_linked_outside_the_project_is_refused(site, tmp_path):
    outside = tmp_path / "elsewhere"
    (site / "source").rename(outside)
    (site / "source").symlink_to(outside)
    code, _, err = cli(site, "extract")
    assert code == 1
    assert [i["path"] for i in issues(err) if i["code"] == "path"] == [f"source/{SLUG}.md"]


@pytest.mark.parametrize("link", ["locales/es/LC_MESSAGES/hydration.po", "locales/es",
                                  "templates/article.html", "output", ".pipeline-cache"])
@pytest.mark.parametrize("command", ["build", "update", "extract"])
def test_a_catalog_template_or_folder_linked_outside_is_refused_before_anything(
        site, tmp_path, link, command):
    target = tmp_path / "outside"
    path = site / link
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.rename(target)
    elif path.suffix == ".html":
        target.write_text("<p>private</p>", encoding="utf-8")
    else:
        target.mkdir()
    path.symlink_to(target)
    outside_before = sorted(target.rglob("*")) if target.is_dir() else target.read_bytes()
    args = ("--no-audio",) if command == "build" else ()
    code, _, err = cli(site, command, *args)
    assert code == 1
    no_traceback(err)
    issue = one_issue(err, "path")
    assert (issue["path"], issue["severity"]) == (link, "error")
    assert issue["message"] == "is a symbolic link leading outside the project; it is not " \
                               "followed"
    assert "stopped: nothing was read or written" in err
    assert not (site / "output").exists() or link == "output"
    assert (sorted(target.rglob("*")) if target.is_dir() else target.read_bytes()) == \
        outside_before


def test_a_catalog_linked_elsewhere_inside_the_project_is_followed(site):
    po = site / "locales" / "ar" / "LC_MESSAGES" / f"{SLUG}.po"
    (site / "shared").mkdir()
    po.rename(site / "shared" / "ar.po")
    po.symlink_to(site / "shared" / "ar.po")
    code, _, err = build(site)
    assert code == 0, err
    assert "الماء وصحتك" in page(site, "ar")


def test_the_renderer_refuses_a_template_linked_outside_even_without_the_command_line(
        site, tmp_path):
    from pipeline.report import ContentError
    from pipeline.stages.render import Renderer

    (tmp_path / "base.html").write_text("<p>private</p>", encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates" / "base.html").symlink_to(tmp_path / "base.html")
    renderer = Renderer(site, "Test", "en")
    with pytest.raises(ContentError) as caught:
        renderer._render("index.html", locales=[])
    assert str(caught.value.issue) == ("templates/base.html: error: is a symbolic link leading "
                                       "outside the project; it is not followed [path]")


def test_the_configuration_linked_outside_is_refused(site, tmp_path):
    (site / "pipeline.toml").rename(tmp_path / "other.toml")
    (site / "pipeline.toml").symlink_to(tmp_path / "other.toml")
    code, _, err = cli(site, "extract")
    assert code == 1
    assert one_issue(err, "path")["path"] == "pipeline.toml"
    assert "stopped: the configuration has an error" in err


# -- writes (finding 9) ------------------------------------------------------------------------

def review_page(root: Path) -> Path:
    return root / "output" / "_review" / "es" / f"{SLUG}.html"


def test_a_page_path_that_is_a_folder_stops_the_build_before_it_writes(site):
    code, _, err = build(site)
    assert code == 0, err
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / "output" / "es" / f"{SLUG}.html").unlink()
    (site / "output" / "es" / f"{SLUG}.html").mkdir()
    replace_in(site / "source" / f"{SLUG}.md", "every day", "each and every day")
    code, _, err = build(site)
    assert code == 1
    no_traceback(err)
    assert err.splitlines()[0] == (f"output/es/{SLUG}.html: error: cannot write: a folder is "
                                   "in the way of the file [unwritable]")
    # nothing half-done: the review page does not show text the pages do not
    after = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    assert after == {p: b for p, b in before.items()
                     if p != site / "output" / "es" / f"{SLUG}.html"}
    assert "each and every day" not in review_page(site).read_text(encoding="utf-8")


def test_an_output_that_is_a_file_is_reported(site):
    (site / "output").write_text("not a folder", encoding="utf-8")
    code, _, err = build(site)
    assert code == 1
    no_traceback(err)
    assert one_issue(err, "unwritable")["path"] == "output"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_an_unwritable_output_folder_is_reported(site):
    (site / "output").mkdir()
    (site / "output").chmod(0o555)
    try:
        code, _, err = build(site)
    finally:
        (site / "output").chmod(0o755)
    assert code == 1
    no_traceback(err)
    issue = one_issue(err, "unwritable")
    assert issue["path"] == "output" and "Permission denied" in issue["message"]


def test_an_unwritable_output_folder_is_reported_in_process(site, monkeypatch, capsys):
    """As root can write anywhere, the folder's refusal is simulated."""
    from pipeline import cli as command_line, confine

    real_open = os.open

    def refuse(path, *args, **kwargs):
        if ".write-test." in str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(path, *args, **kwargs)

    (site / "output").mkdir()
    monkeypatch.setattr(confine.os, "open", refuse)
    assert command_line.main(["-C", str(site), "-q", "build", "--no-audio"]) == 1
    err = capsys.readouterr().err
    no_traceback(err)
    assert err.splitlines()[0] == "output: error: cannot write: Permission denied [unwritable]"
    assert list((site / "output").iterdir()) == []


def test_a_write_failing_mid_build_is_one_line_and_leaves_nothing_half_written(
        site, monkeypatch, capsys):
    from pipeline import cli as command_line, fsutil

    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith(f"output/es/{SLUG}.html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst)

    monkeypatch.setattr(fsutil.os, "replace", replace)
    assert command_line.main(["-C", str(site), "-q", "build", "--no-audio"]) == 1
    err = capsys.readouterr().err
    no_traceback(err)
    assert one_issue(err, "unwritable") == {
        "path": f"output/es/{SLUG}.html", "line": None, "severity": "error",
        "message": "cannot write: No space left on device", "code": "unwritable"}
    assert not (site / "output" / "es" / f"{SLUG}.html").exists()
    assert [p for p in site.rglob("*.tmp")] == []


def test_writes_through_an_output_folder_linked_outside_are_refused(site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "output").mkdir()
    (site / "output" / "es").symlink_to(outside)
    code, _, err = build(site)
    assert code == 1
    no_traceback(err)
    issue = one_issue(err, "unwritable")
    assert issue["path"].startswith("output/es/")
    assert issue["message"] == ("cannot write: its folder is a symbolic link leading outside "
                                "the project")
    assert list(outside.iterdir()) == []


def test_extract_reports_an_unwritable_template_and_writes_the_others(site):
    pot = pot_path(site, SLUG)
    pot.unlink()
    pot.mkdir()
    code, _, err = cli(site, "extract")
    assert code == 1
    no_traceback(err)
    assert len(issues(err)) == 1
    assert one_issue(err, "unwritable") == {
        "path": f"locales/{SLUG}.pot", "line": None, "severity": "error",
        "message": "cannot write: Is a directory", "code": "unwritable"}
    assert "Skip to main content" in msgids(site / "locales" / "_site.pot")


def test_import_reports_an_unwritable_source(site):
    target = site / "source" / "dermatomyositis.md"
    target.mkdir()
    code, _, err = cli(site, "import", "--force", str(SEED))
    assert code == 1
    no_traceback(err)
    assert one_issue(err, "unwritable")["path"] == "source/dermatomyositis.md"
    assert target.is_dir() and list(target.iterdir()) == []


def test_a_write_error_crosses_process_pools_whole():
    from pipeline.fsutil import WriteError

    error = pickle.loads(pickle.dumps(WriteError(Path("/x/y.pot"), errno.ENOSPC, "Disk full")))
    assert isinstance(error, OSError)
    assert str(error.issue) == "/x/y.pot: error: cannot write: Disk full [unwritable]"
