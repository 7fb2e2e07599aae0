"""Bilingual PDF handouts (``output/<lang>/<slug>.bilingual.pdf``) for each translated page:
the translation beside its source, section by section and block by block, so a patient
reading Arabic and a nurse reading English can point at the same paragraph. Each column is
in its own language and direction; the page's language comes first (on the right in a
right-to-left document). On with ``[outputs] bilingual = true``.

A job (``bilingual``) per file: both pages' content, the templates, the interface text, the
settings printed and the audio QR code, as for the handouts.
"""
from __future__ import annotations

from typing import Any

from pipeline.locales import locale_info
from pipeline.outputs.outreach import bilingual_path, has_bilingual
from pipeline.outputs.print_doc import PrintKit, render_all
from pipeline.report import Reporter
from pipeline.writer import OutputWriter


def write(built: Any, writer: OutputWriter, reporter: Reporter) -> int:
    """The bilingual handouts; the number made or kept."""
    site = built.site
    source_lang = site.config.source_language
    sources = {p.slug: p for p in site.pages if p.locale == source_lang}
    pages = [p for p in site.pages if has_bilingual(site, p) and p.slug in sources]
    if not pages:
        return 0
    kit, count, pending = PrintKit(site, reporter), 0, []
    for page in pages:
        source = sources[page.slug]
        rel, audio = bilingual_path(page.lang, page.slug), built.audio_of(page)
        job = kit.job("bilingual", rel, (page, source), audio)
        if site.done.fresh(job) is not None:
            writer.keep(rel)
            count += 1
            continue
        html = kit.render("handout_bilingual.html", **kit.context(page), article=page,
                          source=source, other=locale_info(source_lang), zip=zip,
                          pairs=list(zip(page.sections, source.sections)),
                          masthead=kit.masthead(page, audio))
        if html is None:
            continue
        pending.append((job, rel, kit.doc(html, page)))
    return count + render_all(built, pending, writer, reporter)
