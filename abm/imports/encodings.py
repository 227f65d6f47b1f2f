"""The encoding of a CSV file: told by a BOM or by UTF-8 itself, else detected, and judged.

A file that is not UTF-8 carries no word of its encoding; read in the wrong one it
still decodes (every byte is a letter in Windows-1251), and the names it stores are
garbage: "Müller" as "Mьller". So the encoding is detected with charset-normalizer
among those of the exports this product meets (Cyrillic and Western European), and
the decoded text is judged whatever the encoding came from: a text whose letters do
not belong together (charset-normalizer's mess ratio), whose words mix Latin and
Cyrillic letters, or that is full of control characters is implausible. The importer
refuses an implausible file unless the user confirmed the encoding
(:func:`abm.imports.readers.open_table`).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from abm.imports import refusals
from abm.imports.results import ImportFileError

# The encodings tried, in the order of preference when two read the sample equally well
# (Icelandic reads the same in Windows-1250 and Windows-1252, and means the second).
CANDIDATES = ("cp1251", "koi8_r", "cp866", "cp1252", "iso8859_15", "cp1250", "latin_1",
              "utf_16_le", "utf_16_be")
# The encodings a user may choose on the preview (the codec names Python knows).
CHOICES = ("utf-8", "utf-8-sig", "utf-16", "cp1251", "koi8_r", "cp866", "cp1252",
           "iso8859_15", "cp1250", "iso8859_2", "latin_1")
MAX_MESS = 0.1  # charset-normalizer's mess ratio above which a text reads as garbage
MAX_MIXED_WORDS = 0.2  # share of non-ASCII words mixing Latin and Cyrillic letters
MAX_CONTROL = 0.01  # share of control characters above which a text is binary...
MIN_CONTROL = 16  # ... when there are more than this many: a few make bad rows only
EXCERPT = 64 * 1024  # characters judged, from the start of the sample

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Encoding:
    """How a file's text is read, and whether the result is plausible.

    Attributes:
        name: the codec (``utf-8``, ``cp1251``...).
        confidence: 0 to 1: 1 for a BOM or valid UTF-8, else 1 less the mess ratio.
        detected: found by detection (False: given by the user).
        code, params: why the decoded text is implausible, a reason of
            :data:`abm.imports.refusals.MESSAGES` (None: it is plausible).
    """

    name: str
    confidence: float = 1.0
    detected: bool = True
    code: str | None = None
    params: dict | None = None

    @property
    def plausible(self) -> bool:
        return self.code is None

    @property
    def reason(self) -> str | None:
        """Why the text is implausible, in English (None: it is plausible)."""
        return None if self.code is None else refusals.wording(self.code, self.params or {})

    def why(self) -> dict | None:
        """Why the text is implausible, as a reason inside a refusal (None: it is plausible)."""
        return None if self.code is None else refusals.reason(self.code, **(self.params or {}))


def detect(sample: bytes) -> Encoding:
    """The encoding of a file that begins with ``sample``, judged on the sample."""
    # A BOM, or bytes that are valid UTF-8 (which text in another encoding with a letter
    # beyond ASCII hardly ever is), tell the encoding: only control characters are judged.
    if sample.startswith(codecs.BOM_UTF8):
        return _judged("utf-8-sig", sample, letters=False)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _judged("utf-16", sample, letters=False)
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return _judged("utf-8", sample, letters=False)
    name, confidence = _best_candidate(sample)
    return _judged(name, sample, confidence=confidence)


def given(sample: bytes, name: str) -> Encoding:
    """The encoding the user chose, judged on the sample.

    Raises:
        ImportFileError: Python knows no such encoding.
    """
    if not known_encoding(name):
        raise ImportFileError("unknown_encoding", encoding=name, choices=list(CHOICES))
    codec = codecs.lookup(name)
    if codec.name in ("utf-8", "utf-16") and sample.startswith(codecs.BOM_UTF8):
        name = "utf-8-sig"  # else the BOM would stick to the first header
    return _judged(name, sample, detected=False)


def known_encoding(name: str) -> bool:
    """Whether Python knows a text encoding of this name."""
    try:
        "".encode(name)  # a LookupError for unknown names and for bytes-to-bytes codecs
    except (LookupError, ValueError, TypeError):
        return False
    return True


def _best_candidate(sample: bytes) -> tuple[str, float]:
    """The candidate encoding that reads the sample best, and charset-normalizer's
    confidence in it (1 less its mess ratio)."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample, cp_isolation=list(CANDIDATES)))
    if not matches:
        return "latin_1", 0.0  # decodes any byte: the judgement says how it reads
    best = min(matches, key=lambda m: (round(m.chaos, 2), -round(m.coherence, 1),
                                       _preference(m.encoding)))
    # An encoding preferred to the best that reads the sample the same (German text in
    # Windows-1250 and Windows-1252) is the likelier one, and the name the user expects.
    text = str(best)
    for name in CANDIDATES[:_preference(best.encoding)]:
        try:
            if sample.decode(name) == text:
                return name, round(1.0 - best.chaos, 2)
        except UnicodeDecodeError:
            continue
    return best.encoding, round(1.0 - best.chaos, 2)


def _preference(name: str) -> int:
    return CANDIDATES.index(name) if name in CANDIDATES else len(CANDIDATES)


def _judged(name: str, sample: bytes, *, detected: bool = True, letters: bool = True,
            confidence: float | None = None) -> Encoding:
    try:
        text = codecs.getincrementaldecoder(name)().decode(sample, final=False)
    except UnicodeDecodeError as exc:
        return Encoding(name, 0.0, detected, "undecodable",
                        {"encoding": name, "byte": exc.start + 1, "detail": exc.reason})
    return judge(text, name, detected=detected, letters=letters, confidence=confidence)


def judge(text: str, name: str, *, detected: bool = True, letters: bool = True,
          confidence: float | None = None) -> Encoding:
    """Whether ``text``, read as ``name``, looks like what a person wrote.

    The letters are judged on the words that have a letter beyond ASCII (they alone
    tell one encoding from another), joined by spaces: charset-normalizer's mess ratio
    reads the digits and signs of a CSV line around a Cyrillic word ("РН000123;") as
    garbage, but not the words themselves.

    Args:
        letters: judge the letters too (mess ratio, mixed scripts), not only the share
            of control characters.
        confidence: the detection's own (default: 1 less the words' mess ratio).
    """
    from charset_normalizer.md import mess_ratio

    head = text[:EXCERPT]
    controls = len(CONTROL.findall(head))
    if controls > MIN_CONTROL and controls > MAX_CONTROL * len(head):
        return Encoding(name, 0.0, detected, "binary", {})
    words = [word for word in _WORD.findall(head) if not word.isascii()] if letters else []
    if not words:
        return Encoding(name, 1.0 if confidence is None else confidence, detected)
    mess = mess_ratio(" ".join(words), maximum_threshold=1.0)
    if confidence is None:
        confidence = round(max(0.0, 1.0 - mess), 2)
    mixed = [word for word in words if _LATIN.search(word) and _CYRILLIC.search(word)]
    if len(mixed) > MAX_MIXED_WORDS * len(words):
        return Encoding(name, confidence, detected, "mixed_scripts",
                        {"encoding": name, "mixed": len(mixed), "words": len(words),
                         "example": mixed[0]})
    if mess > MAX_MESS:
        return Encoding(name, confidence, detected, "mess",
                        {"encoding": name, "mess": round(mess, 2)})
    return Encoding(name, confidence, detected)
