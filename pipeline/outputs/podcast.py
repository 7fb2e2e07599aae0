"""Podcast feeds: one RSS 2.0 feed per locale with a voice (``output/<lang>/podcast.xml``), one
item per published article whose whole-article audio exists, with the iTunes tags podcast
apps read (duration, language, explicit, author) and the enclosure's length.

Feeds need absolute addresses, so they are made only when ``[site] base_url`` is set; a site
without an address (a USB stick, a clinic's laptop) gets none, and the build says why. The
feed is deterministic: its dates are the articles' review dates, never the build's clock.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from pipeline.inline import to_plain
from pipeline.jobs import Job
from pipeline.locales import locale_info
from pipeline.report import Reporter
from pipeline.site import Site
from pipeline.state import fingerprint
from pipeline.tts.voices import voice_for
from pipeline.writer import OutputWriter

FEED_NAME = "podcast.xml"
FORMAT = "feed-v1"  # what a feed's bytes depend on beyond its inputs: bump on a change


def has_feed(site: Site, locale: str) -> bool:
    """Whether ``locale``'s index links a feed (the one rule, for the index and the feed)."""
    return bool(site.config.base_url) and site.audio is not None and \
        voice_for(locale, site.config) is not None


def write(built: Any, writer: OutputWriter, reporter: Reporter) -> int:
    """The feeds; the number written."""
    site = built.site
    if site.audio is None:
        return 0
    if not site.config.base_url:
        reporter.progress("no podcast feeds: set [site] base_url in pipeline.toml to the "
                          "address the site is published at (feeds need absolute links)")
        return 0
    count = 0
    for locale in site.locales:
        pages = [p for p in site.pages if p.locale == locale]
        if not pages or not has_feed(site, locale):
            continue
        items = [(page, found) for page in pages if (found := built.audio_of(page))]
        rel = f"{locale_info(locale).tag}/{FEED_NAME}"
        # A job: making the feeds again cost every rebuild 45 ms (feedgen, 9 locales).
        job = Job("feed", rel, {
            "format": FORMAT, "settings": site.done.settings,
            "items": fingerprint(repr([(page.slug, site.inputs.get((page.slug, locale), ""),
                                        a.path, a.size, a.duration) for page, a in items]))},
            site.config.output_dir / rel)
        if site.done.fresh(job) is None:
            writer.write_bytes(rel, feed(site, locale, items))
            site.done.record_job(job, True)
        else:
            writer.keep(rel)
        count += 1
    return count


def feed(site: Site, locale: str, items: list) -> bytes:
    from feedgen.feed import FeedGenerator

    info, config = locale_info(locale), site.config
    base = config.base_url + info.tag + "/"
    generator = FeedGenerator()
    generator.load_extension("podcast")
    generator.title(f"{config.name} – {info.native_name}")
    generator.link(href=base + "index.html", rel="alternate")
    generator.description(f"{config.name} ({info.native_name})")
    generator.language(info.tag)
    generator.generator("health-pipeline")
    generator.podcast.itunes_author(config.name)
    generator.podcast.itunes_explicit("no")
    generator.podcast.itunes_category("Health & Fitness")
    dates = []
    for page, audio in sorted(items, key=lambda item: item[0].slug, reverse=True):
        entry = generator.add_entry()
        url = base + f"{page.slug}.html"
        entry.guid(url, permalink=True)
        entry.title(to_plain(page.title.text))
        entry.link(href=url)
        entry.description(to_plain(page.subtitle.text) if page.subtitle else
                          to_plain(page.title.text))
        entry.enclosure(config.base_url + audio.path, str(audio.size), "audio/mpeg")
        entry.podcast.itunes_duration(_duration(audio.duration))
        reviewed = _date(page.article.reviewed)
        if reviewed is not None:
            entry.pubDate(reviewed)
            dates.append(reviewed)
    # feedgen stamps the feed with the clock unless told otherwise: the newest review date,
    # or none at all (its only way to leave it out is its private field), so an unchanged
    # site keeps an unchanged feed
    if dates:
        generator.lastBuildDate(max(dates))
    else:
        generator._FeedGenerator__rss_lastBuildDate = None
    # Apple's current spec says "false"; feedgen 1.0 knows only the older "no"
    return generator.rss_str(pretty=True).replace(b"<itunes:explicit>no</itunes:explicit>",
                                                  b"<itunes:explicit>false</itunes:explicit>")


def _duration(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"


def _date(iso: str) -> dt.datetime | None:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(iso), dt.time(), dt.UTC) if iso \
            else None
    except ValueError:
        return None
