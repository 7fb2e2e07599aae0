"""Speech text: what the voice is given for the text a page shows (issue 14).

espeak-ng misreads much medical text ("an IV" -> "an Roman four", "10 mg/day" -> "ten em gee
slash day", "911" -> "nine hundred eleven"). The page never changes; only what is sent to
the voice does. One rule engine serves every language; what differs per language is data:
structural facts in ``langdata`` and words in a PO lexicon per locale that translators own
(``lexicons/<ll>.po`` built in, ``locales/<ll>/speech.po`` in a project over it).

    lexicon = load_lexicon("es", project_root / "locales")   # .issues: Issue objects
    for item in speak_sentences(text, "es", lexicon):          # sentence spans + speech text
        item.spoken.spoken                                     # what the voice gets
    misreadings(text, "es", lexicon)                           # [speech] warnings
"""
from pipeline.speech_text.engine import normalize, speak_sentences
from pipeline.speech_text.lexicon import LexEntry, Lexicon, load_lexicon
from pipeline.speech_text.misread import misreadings
from pipeline.speech_text.model import (Change, Misreading, Sentence, SpokenSentence,
                                        SpokenText)
from pipeline.speech_text.sentences import sentence_texts, split_sentences

__all__ = ["Change", "LexEntry", "Lexicon", "Misreading", "Sentence", "SpokenSentence",
           "SpokenText", "load_lexicon", "misreadings", "normalize", "sentence_texts",
           "speak_sentences", "split_sentences"]
