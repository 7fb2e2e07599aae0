"""Files every page needs: the stylesheet and script (``output/assets/``) and the images the
articles show (``output/media/``)."""
from __future__ import annotations

from pipeline.report import Reporter
from pipeline.site import Site
from pipeline.resources import ASSETS
from pipeline.writer import OutputWriter


def write_assets(writer: OutputWriter) -> int:
    count = 0
    for asset in sorted(ASSETS.iterdir()):
        writer.write_bytes(f"assets/{asset.name}", asset.read_bytes())
        count += 1
    return count


def copy_media(site: Site, writer: OutputWriter, reporter: Reporter) -> int:
    """Copy the images the pages show into ``output/media/``. Only a file inside ``source/``
    whose links stay inside the project is copied (read.py refuses others, but a parse
    reused from the last build may predate a new link); pages link it as ``media/<src>``."""
    from pipeline.confine import image_path, image_problem, inside

    config, copied = site.config, 0
    for page in site.pages:
        if page.locale != config.source_language:
            continue
        folder = page.article.path.parent
        depth = len(folder.relative_to(config.source_dir).parts) \
            if folder.is_relative_to(config.source_dir) else 0
        for block in (b for s in page.article.sections for b in s.blocks):
            if block.image is None or "://" in block.image.src:
                continue
            src, where = block.image.src, block.image.alt.location
            if problem := image_problem(src, depth):
                reporter.error(where, f"image '{src}' {problem}", "path")
                continue
            rel = image_path(src)
            if writer.has(f"media/{rel}"):  # another article shows it too
                continue
            if not (folder / rel).is_file():
                reporter.error(where, f"image '{src}' not found", "missing-image")
                continue
            if not inside(folder / rel, config.root):
                reporter.error(where, f"image '{src}' is a symbolic link to a file outside "
                               "the project", "path")
                continue
            try:
                data = (folder / rel).read_bytes()
            except OSError as exc:
                reporter.error(where, f"image '{src}' cannot be read: {exc.strerror}",
                               "unreadable")
                continue
            writer.write_bytes(f"media/{rel}", data)  # a WriteError stops the build
            copied += 1
    return copied
