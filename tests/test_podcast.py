"""Podcast feeds (outputs/podcast.py): one RSS 2.0 feed per voiced locale when the site has an
address, read back with feedparser as a podcast app reads it."""
from __future__ import annotations

import feedparser
from lxml import etree, html

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"

from tests.test_incremental import root, run  # noqa: F401  (root: a fixture)


def with_address(root, url="https://example.org/health") -> None:
    config = root / "pipeline.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[site]\nbase_url = "{url}"\n',
                      encoding="utf-8")


def test_each_voiced_locale_gets_a_feed_a_podcast_app_can_read(root):
    with_address(root)
    run(root)
    for tag in ("en", "es", "ar"):
        data = (root / "output" / tag / "podcast.xml").read_bytes()
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (tag, parsed.get("bozo_exception"))
        assert parsed.version == "rss20" and parsed.feed.language == tag
        channel = etree.fromstring(data).find("channel")
        assert channel.findtext(f"{{{ITUNES}}}explicit") == "false"  # Apple's spec
        (item,) = parsed.entries
        assert item.link == f"https://example.org/health/{tag}/hydration.html"
        (enclosure,) = item.enclosures
        assert enclosure.href == f"https://example.org/health/{tag}/audio/hydration.mp3"
        assert int(enclosure.length) == (root / "output" / tag / "audio/hydration.mp3").stat(
            ).st_size
        assert enclosure.type == "audio/mpeg" and item.itunes_duration.startswith("0:0")
        index = html.fromstring((root / "output" / tag / "index.html").read_bytes())
        assert index.xpath("//link[@rel='alternate'][@type='application/rss+xml']/@href") == [
            "podcast.xml"]
    assert "Mantenerse hidratado" in (root / "output/es/podcast.xml").read_text("utf-8")


def test_an_unchanged_site_keeps_its_feeds_byte_for_byte(root):
    with_address(root)
    run(root)
    before = (root / "output/es/podcast.xml").stat().st_mtime_ns
    run(root)
    assert (root / "output/es/podcast.xml").stat().st_mtime_ns == before


def test_without_an_address_there_is_no_feed_and_the_build_says_why(root):
    counters = run(root)
    assert not list((root / "output").glob("*/podcast.xml"))
    assert "no podcast feeds: set [site] base_url" in counters["log"]
    index = (root / "output/es/index.html").read_text(encoding="utf-8")
    assert "application/rss+xml" not in index


def test_a_bad_address_is_a_config_error_naming_the_key(root, run_cli):
    with_address(root, "example.org/health")
    code, out, err = run_cli(root, "build", "--no-audio")
    assert code == 1 and "pipeline.toml" in err + out and "site.base_url" in err + out
