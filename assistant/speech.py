"""Answering "what did X say about Y?" from the quote index.

When a question asks what a named person said (thought, called, warned, described…), the
quotations attributed to that person are scored against the rest of the question; the best
ones are put first among the retrieved passages (both answer modes see them), and the
extractive answer quotes them verbatim, naming the speaker. If the person has no quotation
that fits the question, nothing changes: the usual retrieval and evidence gate decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .citations import cite_span
from .embed_cache import embed_with_cache
from .retrieval import Retrieval, diversify
from .schema import Answer, Passage
from .text import QUESTION_WORDS, SPEECH_VERBS, STOPWORDS, content_terms, is_speech_question, stems, words

MIN_SCORE = 0.30  # a quote must be at least this close to the question (cosine + coverage bonus)
RELATIVE = 0.85  # further quotes must score this share of the best


def question_speakers(question: str) -> list[str]:
    """Names in the question: runs of capitalised words that are not question or stop words,
    nor only titles and nationalities ("the Israeli leader" names nobody here)."""
    from .quotes import NOT_NAMES, TITLE_WORDS

    def is_name(run: list[str]) -> bool:
        return any(t.lower().replace(".", "") not in TITLE_WORDS | NOT_NAMES for t in run)

    names: list[str] = []
    run: list[str] = []
    for i, w in enumerate(words(question)):
        lw = w.lower()
        if w[0].isupper() and lw not in QUESTION_WORDS and not (i == 0 and lw in STOPWORDS) and not w.isupper():
            if w.endswith(("'s", "’s")):  # "Vance's remark": the name ends here
                run.append(w[:-2])
                names.append(" ".join(run))
                run = []
                continue
            run.append(w)
            continue
        if run:
            names.append(" ".join(run))
            run = []
    if run:
        names.append(" ".join(run))
    return [n for n in names if is_name(n.split())]


def asks_what_someone_said(question: str) -> bool:
    return is_speech_question(question) and bool(question_speakers(question))


@dataclass
class QuoteMatch:
    record: dict[str, Any]
    score: float


def topic_terms(question: str, speakers: list[str]) -> list[str]:
    """The question's content terms without the speaker's name and the speech verb."""
    drop = set()
    for s in speakers:
        drop |= stems(s)
    out = []
    for w in words(question):
        if SPEECH_VERBS.fullmatch(w) or w.lower() in QUESTION_WORDS:
            continue
        out.extend(t for t in content_terms(w) if t not in drop)
    return out


def match_quotes(question: str, records: list[dict[str, Any]], embedder, speakers: list[str],
                 keep_all: bool = False, cache=None) -> list[QuoteMatch]:
    """Quotes scored against the question: cosine of question and quote, plus a bonus for the
    question's topic words found in them. Best first; weak ones dropped unless ``keep_all``.
    With ``cache`` (an :class:`EmbeddingCache`), a quotation is embedded once, not per question."""
    if not records:
        return []
    topic = topic_terms(question, speakers)
    distinct = list(dict.fromkeys(r["text"] for r in records))  # wire copies repeat quotes verbatim
    vecs = embed_with_cache(embedder, distinct, cache)
    q = np.asarray(embedder.embed_query(question), dtype=np.float32)
    by_text = dict(zip(distinct, vecs @ q))
    dense = [by_text[r["text"]] for r in records]
    out = []
    for r, d in zip(records, dense):
        bag = stems(r["text"])
        coverage = sum(1 for t in topic if t in bag) / len(topic) if topic else 0.0
        out.append(QuoteMatch(r, float(d) + 0.3 * coverage))
    out.sort(key=lambda m: -m.score)
    if not topic:  # "What did Vance say?": every quote of his fits; keep reading order
        return sorted(out, key=lambda m: (m.record.get("date", ""), m.record["doc_id"], m.record["char_start"]))
    if keep_all:
        return out
    best = out[0].score
    return [m for m in out if m.score >= MIN_SCORE and m.score >= RELATIVE * best]


def boost(retrieval: Retrieval, passages: list[Passage], k: int, max_per_article: int) -> Retrieval:
    """The passages holding the chosen quotes first, then the retrieved ones (no duplicates)."""
    seen = {p.chunk_id for p in passages}
    merged = passages + [p for p in retrieval.passages if p.chunk_id not in seen]
    retrieval.passages = diversify(merged, max(k, len(passages)), max_per_article)
    return retrieval


def quote_answer(question: str, matches: list[QuoteMatch], passages: dict[str, Passage], retrieved: list[Passage],
                 max_quotes: int = 2, mode: str = "extractive") -> Answer | None:
    """"Benjamin Netanyahu said: “…” [1]" for the best quotes, cited to the exact words."""
    parts, citations = [], []
    for m in matches:
        r = m.record
        p = passages.get(r.get("chunk_id", ""))
        if p is None:
            continue
        s = r["char_start"] - p.char_start
        e = min(r["char_end"], p.char_end) - p.char_start
        while e > s and p.text[e - 1] in ",;: \n":  # "…common goals," -> "…common goals"
            e -= 1
        if s < 0 or e <= s:
            continue
        cit = cite_span(len(citations) + 1, p, s, e)
        citations.append(cit)
        words_ = " ".join(cit.quote.split())
        ending = "" if r["char_end"] <= p.char_end else "…"
        parts.append(f"{r['speaker']} said: “{words_}{ending}” [{cit.n}]")
        if len(citations) >= max_quotes:
            break
    if not citations:
        return None
    return Answer(question=question, text=" ".join(parts), citations=citations, passages=retrieved,
                  abstained=False, mode=mode)

