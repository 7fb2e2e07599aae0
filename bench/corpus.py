"""A deterministic benchmark corpus: N articles in the seed's structure, 8 pseudo-translated locales.

``python -m bench.corpus --articles 200`` writes ``bench/work/200/`` (a content project:
``pipeline.toml``, ``source/``, ``locales/``). Article ``i`` depends only on the seed text and
``i`` (and on articles before it, to keep sections distinct), so the first 50 articles of the
200-article corpus are the 50-article corpus: smaller corpora are copied from larger ones.

Text: the seed article's sentences, list items, headings and references, recombined with a
seeded ``random.Random`` and varied (condition name, a few word substitutions, an occasional
emphasis), so every article and every section is distinct (no content-addressed cache can
share audio between them). Translations: every msgstr is a deterministic transformation of its
msgid (upper case outside inline tags, ``pipeline.pseudo.pseudo_text``), so all pages are 100%
translated and every locale is spoken by its own espeak-ng voice.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "source" / "dermatomyositis.md"
WORK = REPO / "bench" / "work"
SEED_VALUE = 20240601  # change it and every figure changes: keep it fixed
GENERATOR_VERSION = 1  # bump when the text generation changes

# Real locale codes whose language espeak-ng speaks (gettext code -> espeak voice id). Voices
# the pipeline does not map by default are set in the corpus's pipeline.toml.
LOCALES = ["es", "fr", "de", "it", "pt_BR", "ru", "vi", "ar"]
EXTRA_VOICES = {"fr": "roa/fr", "de": "gmw/de", "it": "roa/it", "pt_BR": "roa/pt-br"}

# Condition names for titles; each sentence mentioning the seed's condition gets the article's.
CONDITIONS = [
    "Dermatomyositis", "Polymyositis", "Inclusion Body Myositis", "Lupus", "Scleroderma",
    "Rheumatoid Arthritis", "Psoriatic Arthritis", "Sjogren Syndrome", "Vasculitis",
    "Myasthenia Gravis", "Multiple Sclerosis", "Sarcoidosis", "Fibromyalgia", "Gout",
    "Osteoarthritis", "Osteoporosis", "Ankylosing Spondylitis", "Polymyalgia Rheumatica",
    "Giant Cell Arteritis", "Behcet Disease", "Raynaud Phenomenon", "Psoriasis", "Eczema",
    "Celiac Disease", "Crohn Disease", "Ulcerative Colitis", "Guillain-Barre Syndrome",
    "Chronic Fatigue Syndrome", "Muscular Dystrophy", "Juvenile Arthritis",
    "Mixed Connective Tissue Disease", "Antiphospholipid Syndrome", "Reactive Arthritis",
    "Bursitis", "Tendinitis", "Lyme Arthritis", "Kawasaki Disease", "Still Disease",
    "Pemphigus", "Alopecia Areata",
]
TITLE_FORMS = ["Treatment for {c}", "Managing {c}", "Living With {c}", "Caring for {c}",
               "Understanding {c}"]
SUBTITLES = ["Idiopathic Inflammatory Myopathy", "Autoimmune Condition", "Chronic Condition",
             "Inflammatory Disease", "Long-term Care"]
AUTHORS = ["Polsdorfer R", "Chung L", "Dold S", "Wong EH", "Hui AC", "Genovese MC",
           "Justiniano ME"]
# Section headings: the seed's, and phrases taken from its sentences.
HEADINGS = ["Physical Therapy", "Medications", "Intravenous Immune Globulin",
            "Lifestyle Changes", "Muscle Strength", "Skin Care", "Bone Strength",
            "Exercise Program", "Immune System", "Treatment Plan", "Infusion",
            "Daily Activities", "Sun Protection", "Rest"]
# Small, meaning-keeping substitutions (whole words), each applied with some probability.
VARIANTS = {
    "doctor": ["doctor", "care team", "health care provider"],
    "symptoms": ["symptoms", "signs and symptoms"],
    "exercise": ["exercise", "physical activity"],
    "several": ["several", "many"],
    "few": ["few", "couple of"],
}
_CONDITION_RE = re.compile(r"dermatomyositis", re.I)


# -- the seed --------------------------------------------------------------------------------

def _sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?:])\s+(?=[A-Z])", paragraph) if s.strip()]


def read_seed(path: Path = SEED) -> dict[str, list[str]]:
    """Sentences (split into list leads ending in ':' and the rest), list items, references."""
    text = path.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    sentences, leads, items, refs = [], [], [], []
    in_refs = False
    for block in re.split(r"\n\s*\n", body):
        lines = [line.strip() for line in block.strip().splitlines()]
        if not lines:
            continue
        if lines[0].startswith("## "):
            in_refs = "references" in lines[0]
            continue
        if lines[0].startswith("###"):
            items += [line[2:] for line in lines[1:] if line.startswith("- ")]
            continue
        if lines[0].startswith("- "):
            items += [line[2:] for line in lines if line.startswith("- ")]
            continue
        if re.match(r"\d+\. ", lines[0]):
            current: list[str] = []
            for line in lines:
                if re.match(r"\d+\. ", line):
                    if current:
                        refs.append(" ".join(current))
                    current = [re.sub(r"^\d+\. ", "", line)]
                else:
                    current.append(line)
            refs.append(" ".join(current))
            continue
        if in_refs:
            continue
        for sentence in _sentences(" ".join(lines)):
            (leads if sentence.endswith(":") else sentences).append(sentence)
    return {"sentences": sentences, "leads": leads, "items": items, "refs": refs}


# -- one article -----------------------------------------------------------------------------

def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _with_condition(text: str, condition: str) -> str:
    """The seed's condition replaced by the article's, keeping a capital at a sentence start."""
    return _CONDITION_RE.sub(lambda m: condition if m.group(0)[0].isupper()
                             else condition.lower(), text)


def _vary(sentence: str, condition: str, rng: random.Random) -> str:
    sentence = _with_condition(sentence, condition)

    def swap(m: re.Match) -> str:
        word = m.group(0)
        choices = VARIANTS[word.lower()]
        pick = rng.choice(choices) if rng.random() < 0.5 else word
        return pick[0].upper() + pick[1:] if word[0].isupper() else pick

    sentence = re.sub(r"\b(" + "|".join(VARIANTS) + r")\b", swap, sentence, flags=re.I)
    if rng.random() < 0.08:  # an inline tag now and then: <em> in the catalogs
        words = sentence.split(" ")
        k = rng.randrange(1, len(words)) if len(words) > 2 else 0
        if words[k].isalpha():
            words[k] = f"*{words[k]}*"
        sentence = " ".join(words)
    return sentence


def _title(index: int) -> tuple[str, str]:
    """A distinct title for every index: all condition x form combinations, then parts."""
    combos = [(c, f) for f in TITLE_FORMS for c in CONDITIONS]
    random.Random(SEED_VALUE).shuffle(combos)
    condition, form = combos[index % len(combos)]
    title = form.format(c=condition)
    if index >= len(combos):
        title += f" (Part {index // len(combos) + 1})"
    return title, condition


def make_article(index: int, seed: dict[str, list[str]], seen: set[str]) -> tuple[str, str]:
    """(slug, Markdown) of article ``index``; ``seen`` holds the section bodies made so far."""
    rng = random.Random(f"{SEED_VALUE}:{index}")
    title, condition = _title(index)
    slug = f"a{index + 1:04d}-{_slugify(title)}"
    sentences, leads, items, refs = (seed["sentences"], seed["leads"], seed["items"],
                                     seed["refs"])

    def paragraph(lo: int, hi: int) -> str:
        return " ".join(_vary(s, condition, rng) for s in rng.sample(sentences, rng.randint(lo, hi)))

    def bullets(lo: int, hi: int) -> str:
        return "\n".join(f"- {_vary(i, condition, rng)}"
                         for i in rng.sample(items, min(len(items), rng.randint(lo, hi))))

    out = ["---", f"title: {title}", f"subtitle: {rng.choice(SUBTITLES)}",
           f"author: {rng.choice(AUTHORS)}", "lang: en", "---", ""]
    for _ in range(20):  # the introduction too: two articles had the same one
        intro = paragraph(2, 3)
        if rng.random() < 0.5:
            intro += " " + _vary(rng.choice(leads), condition, rng)
        if intro not in seen:
            break
    seen.add(intro)
    out += [intro, ""]
    headings = rng.sample(HEADINGS, rng.randint(5, 6))
    for number, heading in enumerate(headings):
        for _ in range(20):  # redraw a section that another article already has
            blocks = [paragraph(2, 4)]
            kind = rng.random()
            if kind < 0.45:
                blocks.append(_vary(rng.choice(leads), condition, rng) + "\n\n" + bullets(2, 4))
            elif kind < 0.75:
                blocks.append(paragraph(1, 3))
            elif number == len(headings) - 1 or kind < 0.85:
                blocks.append(f"### {heading} at Home\n\n{bullets(2, 3)}")
            body = "\n\n".join(blocks)
            if body not in seen:
                break
        seen.add(body)
        out += [f"## {heading} {{#{_slugify(heading)}}}", "", body, ""]
    out += ["## References {#references .references}", ""]
    chosen = rng.sample(refs, rng.randint(3, len(refs)))
    for number, ref in enumerate(chosen, 1):
        ref = _with_condition(ref, condition)
        ref = re.sub(r"\b(19|20)(\d\d)\b",
                     lambda m: str(int(m.group(0)) - rng.randint(0, 9)), ref, count=1)
        out.append(f"{number}. {ref}")
    return slug, "\n".join(out) + "\n"


def make_sources(n: int) -> list[tuple[str, str]]:
    seed = read_seed()
    seen: set[str] = set()
    articles = [make_article(i, seed, seen) for i in range(n)]
    texts = {text for _, text in articles}
    assert len(texts) == n and len({s for s, _ in articles}) == n, "articles are not distinct"
    return articles


# -- the content project -----------------------------------------------------------------------

def pipeline_toml() -> str:
    voices = "\n".join(f'{code} = "{voice}"' for code, voice in EXTRA_VOICES.items())
    locales = ", ".join(f'"{c}"' for c in LOCALES)
    return (f'# Benchmark corpus made by bench/corpus.py; do not edit.\n[project]\n'
            f'name = "Benchmark Library"\nsource_language = "en"\nlocales = [{locales}]\n\n'
            f'[audio.voices]\n{voices}\n')


def pseudo_text(msgid: str) -> str:
    """Upper case outside inline tags and placeholders (the pipeline's own if it has one)."""
    try:
        from pipeline.pseudo import pseudo_text as theirs
    except ImportError:
        keep = re.compile(r"<[^<>]*>|\{[^{}]*\}|&#?\w+;")
        out, pos = [], 0
        for m in keep.finditer(msgid):
            out += [msgid[pos:m.start()].upper(), m.group(0)]
            pos = m.end()
        return "".join(out) + msgid[pos:].upper()
    return theirs(msgid)


def fill_catalog(path: Path) -> int:
    """Translate every entry of one PO file in place; returns the number of entries."""
    try:
        from pipeline.catalogs import WRAP
    except ImportError:
        WRAP = 79
    po = polib.pofile(str(path), wrapwidth=WRAP)
    po.metadata.update({"PO-Revision-Date": "2024-06-01 00:00+0000",
                        "Last-Translator": "bench.corpus <bench@localhost>",
                        "Language-Team": "pseudo-translation (benchmark)"})
    count = 0
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            n = max(len(entry.msgstr_plural), 1)
            entry.msgstr_plural = {i: pseudo_text(entry.msgid if i == 0 else entry.msgid_plural)
                                   for i in range(n)}
        else:
            entry.msgstr = pseudo_text(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgctxt = None
        count += 1
    po.save(str(path))
    return count


def run_pipeline(project: Path, *args: str) -> None:
    cmd = [sys.executable, "-m", "pipeline", "-C", str(project), "-q", *args]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}"
                           f"{done.stderr}")


def fingerprint(n: int) -> str:
    """What the corpus was made from: generator, seed text and pipeline sources."""
    digest = hashlib.sha1(f"{GENERATOR_VERSION}:{SEED_VALUE}:{n}".encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(SEED.read_bytes())
    for path in sorted((REPO / "pipeline").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def generate(n: int, target: Path | None = None, log=print) -> Path:
    """Write (or reuse, when its stamp matches) the n-article corpus; returns its folder."""
    target = target or WORK / str(n)
    stamp = target / ".corpus-stamp"
    want = fingerprint(n)
    if stamp.exists() and stamp.read_text().strip() == want:
        return target
    started = time.perf_counter()
    if target.exists():
        shutil.rmtree(target)
    (target / "source").mkdir(parents=True)
    (target / "pipeline.toml").write_text(pipeline_toml(), encoding="utf-8")
    for slug, text in make_sources(n):
        (target / "source" / f"{slug}.md").write_text(text, encoding="utf-8")
    run_pipeline(target, "extract")
    run_pipeline(target, "update")
    entries = sum(fill_catalog(po) for po in sorted((target / "locales").glob("*/LC_MESSAGES/*.po")))
    stamp.write_text(want + "\n")
    log(f"corpus: {n} article(s) x {len(LOCALES)} locale(s), {entries} msgstr(s) filled in "
        f"{target.relative_to(REPO)} ({time.perf_counter() - started:.1f}s)")
    return target


def subset(source: Path, n: int, target: Path, log=print) -> Path:
    """The first n articles of a larger corpus, with their catalogs (same as generate(n))."""
    want = fingerprint(n)
    stamp = target / ".corpus-stamp"
    if stamp.exists() and stamp.read_text().strip() == want:
        return target
    if target.exists():
        shutil.rmtree(target)
    slugs = sorted(p.stem for p in (source / "source").glob("*.md"))[:n]
    if len(slugs) < n:
        raise ValueError(f"{source} has only {len(slugs)} article(s)")
    keep = set(slugs) | {"_site"}
    (target / "source").mkdir(parents=True)
    shutil.copy2(source / "pipeline.toml", target / "pipeline.toml")
    for slug in slugs:
        shutil.copy2(source / "source" / f"{slug}.md", target / "source" / f"{slug}.md")
    for path in (source / "locales").rglob("*"):
        if path.is_file() and path.stem in keep:
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    stamp.write_text(want + "\n")
    log(f"corpus: first {n} article(s) copied to {target.relative_to(REPO)}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--print", dest="show", type=int, metavar="I",
                        help="print article I (0-based) instead of writing the corpus")
    args = parser.parse_args(argv)
    if args.show is not None:
        print(make_sources(args.show + 1)[-1][1], end="")
        return 0
    generate(args.articles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
