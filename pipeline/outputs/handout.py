"""Printable PDF handouts (``output/<lang>/<slug>.pdf``), one per published page, for
outreach teams to print or send: the page's text with a masthead (title, language, review
date, address, QR codes to the page and to its whole-article audio, how to listen, the
organisation) and page numbers; tagged, with the page's language and title.

Each file is a job (``pdf``): its inputs are the page's content, the print templates, the
interface text of its language, the settings it prints (address, organisation, logo) and
whether its audio QR code is printed. Rendering is the cost (measured on the sample article:
0.20-0.44 s of CPU a handout, 0.32-0.62 s a bilingual one; 21-36 KiB, 282 KiB in Chinese
with its CJK font subset), so only a changed one is rendered; ``print_doc.render_pdf`` is a
pure function of a frozen ``PrintDoc``, ready for a process pool.
"""
from __future__ import annotations

from typing import Any

from pipeline.outputs.outreach import handout_path
from pipeline.outputs.print_doc import PrintKit, render_all
from pipeline.report import Reporter
from pipeline.writer import OutputWriter


def write(built: Any, writer: OutputWriter, reporter: Reporter) -> int:
    """The handouts; the number made or kept."""
    site = built.site
    if not site.config.outputs.pdf or not site.pages:
        return 0
    if not site.config.base_url:
        reporter.progress("PDF handouts without addresses or QR codes: set [site] base_url "
                          "in pipeline.toml to the address the site is published at")
    kit, count, pending = PrintKit(site, reporter), 0, []
    for page in site.pages:
        rel, audio = handout_path(page.lang, page.slug), built.audio_of(page)
        job = kit.job("pdf", rel, (page,), audio)
        if site.done.fresh(job) is not None:
            writer.keep(rel)
            count += 1
            continue
        html = kit.render("handout.html", **kit.context(page), article=page,
                          masthead=kit.masthead(page, audio))
        if html is None:
            continue
        pending.append((job, rel, kit.doc(html, page)))
    return count + render_all(built, pending, writer, reporter)
