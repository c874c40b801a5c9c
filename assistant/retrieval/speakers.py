"""Answering "what did X say about Y?" from the quote index.

When a question asks what a named person said (thought, called, warned, described…), the
quotations attributed to that person are scored against the rest of the question; the best
ones are put first among the retrieved passages (both answer modes see them), and the
extractive answer quotes them verbatim, naming the speaker. If the person has no quotation
that fits the question, nothing changes: the usual retrieval and evidence gate decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .citations import cite_span
from ..index.embed_cache import embed_with_cache
from ..index.store import ArticleStore, StoredQuote
from ..nlp.quotes import Quote, speaker_label
from .filters import Filters
from .hybrid import Evidence, Retrieval, diversify
from ..types import Answer, Passage
from ..nlp.text import QUESTION_WORDS, SPEECH_VERBS, STOPWORDS, content_terms, is_speech_question, stems, words

_NAME_WORD = re.compile(r"[^\W\d_][\w'’\-]*|\d+")  # words with any letters ("Renée Dupré")
MIN_SCORE = 0.30  # a quote must be at least this close to the question (cosine + coverage bonus)
RELATIVE = 0.85  # further quotes must score this share of the best


def _capitalised_runs(tokens: list[str]) -> list[tuple[int, int]]:
    """[start, end) of runs of capitalised words ("Robert Menard", "Ministry of Environment"),
    question words, a sentence-initial stop word and all-capital acronyms left out."""
    def cap(i: int) -> bool:
        w = tokens[i]
        return w[0].isupper() and w.lower() not in QUESTION_WORDS and not (i == 0 and w.lower() in STOPWORDS) \
            and not w.isupper()

    runs, i = [], 0
    while i < len(tokens):
        if not cap(i):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and not tokens[j - 1].endswith(("'s", "’s")) and (
                cap(j) or (tokens[j] == "of" and j + 1 < len(tokens) and cap(j + 1))):
            j += 1
        runs.append((i, j))
        i = j
    return runs


def question_speakers(question: str) -> list[str]:
    """Names in the question: runs of capitalised words. A run that only describes is left out:
    "the Israeli leader" (between an article and a noun), "Beziers mayor Robert Menard" (a run
    one lower-case word before another). When the question has a verb of speech ("What did X
    say about Y?"), the runs before it: the speaker, not the topic."""
    tokens = _NAME_WORD.findall(question)
    verb_at = next((i for i, w in enumerate(tokens) if SPEECH_VERBS.fullmatch(w)), None)
    runs = _capitalised_runs(tokens)
    names = []
    for n, (i, j) in enumerate(runs):
        nxt = tokens[j] if j < len(tokens) else ""
        if i > 0 and tokens[i - 1].lower() in ("the", "a", "an") and nxt[:1].islower() and not SPEECH_VERBS.fullmatch(nxt):
            continue
        if n + 1 < len(runs) and runs[n + 1][0] == j + 1 and nxt[:1].islower() and nxt.lower() not in STOPWORDS:
            continue
        name = " ".join(tokens[i:j])
        names.append((i, name[:-2] if name.endswith(("'s", "’s")) else name))
    before = [name for i, name in names if verb_at is not None and i < verb_at]
    return before or [name for _, name in names]


def asks_what_someone_said(question: str) -> bool:
    return is_speech_question(question) and bool(question_speakers(question))


@dataclass
class QuoteMatch:
    record: StoredQuote
    score: float


@dataclass
class SpeakerEvidence:
    """For "what did X say…": X's quotations that fit the question, best first, and the passages
    they were said in, by chunk id."""

    matches: list[QuoteMatch]
    passages: dict[str, Passage]


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


def match_quotes(question: str, records: list[StoredQuote], embedder, speakers: list[str],
                 keep_all: bool = False, cache=None) -> list[QuoteMatch]:
    """Quotes scored against the question: cosine of question and quote, plus a bonus for the
    question's topic words found in them or in the sentence that frames them. Best first; unless
    ``keep_all``, weak ones are dropped and each kept one brings its neighbours (:func:`with_neighbours`). With
    ``cache`` (an :class:`EmbeddingCache`), a quotation is embedded once, not per question."""
    if not records:
        return []
    topic = topic_terms(question, speakers)
    distinct = list(dict.fromkeys(r.quote.text for r in records))  # wire copies repeat quotes verbatim
    vecs = embed_with_cache(embedder, distinct, cache)
    q = np.asarray(embedder.embed_query(question), dtype=np.float32)
    by_text = dict(zip(distinct, vecs @ q))
    dense = [by_text[r.quote.text] for r in records]
    out = []
    for r, d in zip(records, dense):
        bag = stems(r.quote.text) | stems(r.quote.sentence)  # "“No refunds” for late bookings, she said"
        coverage = sum(1 for t in topic if t in bag) / len(topic) if topic else 0.0
        out.append(QuoteMatch(r, float(d) + 0.3 * coverage))
    out.sort(key=lambda m: -m.score)
    if not topic:  # "What did Vance say?": every quote of his fits; keep reading order
        return sorted(out, key=lambda m: (m.record.quote.date, m.record.quote.doc_id, m.record.quote.char_start))
    if keep_all:
        return out
    best = out[0].score
    return with_neighbours([m for m in out if m.score >= MIN_SCORE and m.score >= RELATIVE * best], out)


def with_neighbours(chosen: list[QuoteMatch], scored: list[QuoteMatch]) -> list[QuoteMatch]:
    """The chosen quotes, each with the speaker's quotes next to it in reading order: the other
    parts of its sentence (“There will be no refunds” for late bookings, she said, “not
    even in winter.”) and the quote just before and just after it in the same or a neighbouring
    paragraph (one utterance quoted in pieces is answered whole)."""
    out: list[QuoteMatch] = []
    for m in chosen:
        q = m.record.quote
        run = sorted((o for o in scored if o.record.quote.doc_id == q.doc_id and o.record.quote.speaker == q.speaker
                      and abs(o.record.quote.paragraph - q.paragraph) <= 1), key=lambda o: o.record.quote.char_start)
        at = next(i for i, o in enumerate(run) if o is m)
        near = [o for i, o in enumerate(run) if abs(i - at) <= 1 or (
            o.record.quote.sentence_start, o.record.quote.sentence_end) == (q.sentence_start, q.sentence_end)]
        out.extend(o for o in near if o not in out)
    return out


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
        r = m.record.quote
        p = passages.get(m.record.chunk_id)
        if p is None:
            continue
        s = r.char_start - p.char_start
        e = min(r.char_end, p.char_end) - p.char_start
        while e > s and p.text[e - 1] in ",;: \n":  # "…common goals," -> "…common goals"
            e -= 1
        if s < 0 or e <= s:
            continue
        cit = cite_span(len(citations) + 1, p, s, e)
        citations.append(cit)
        words_ = " ".join(cit.quote.split())
        ending = "" if r.char_end <= p.char_end else "…"
        who = speaker_label(r.speaker, r.kind, r.confidence, r.attribution)
        parts.append(f"{who} said: “{words_}{ending}” [{cit.n}]")
        if len(citations) >= max_quotes:
            break
    if not citations:
        return None
    return Answer(question=question, text=" ".join(parts), citations=citations, passages=retrieved,
                  abstained=False, mode=mode)



def speaker_evidence(question: str, evidence: Evidence, store: ArticleStore, embedder, k: int, max_per_article: int,
                     filters: Filters | None, cache=None) -> SpeakerEvidence | None:
    """For a "what did X say…" question: records on ``evidence`` the speakers asked about and
    where others' quotations sit in the retrieved articles (their words are no answer to it),
    puts the passages of X's quotations that fit the question first, and returns those
    quotations (None when X has none that fit)."""
    from ..nlp.quotes import speaker_matches
    from .hybrid import ForeignQuote

    names = question_speakers(question)
    evidence.asked_speakers = names
    records = store.find_quotes(speakers=names, doc_ids=filters.doc_ids if filters else None)
    records = [r for r in records if any(speaker_matches(n, r.quote.speaker, r.quote.aliases) for n in names)]
    if filters and not filters.empty:
        records = [r for r in records if filters.match(r.facts)]
    # Only the names that are speakers leave the topic ("What did Vance say about Turkey?")
    speakers = [n for n in names if any(speaker_matches(n, r.quote.speaker, r.quote.aliases) for r in records)]
    docs = sorted({p.doc_id for p in evidence.passages})
    evidence.foreign_quotes = [
        ForeignQuote(q.doc_id, q.char_start, q.char_end) for q in (r.quote for r in store.find_quotes(doc_ids=docs))
        if q.speaker and not any(speaker_matches(n, q.speaker, q.aliases) for n in names)
    ] if docs else []
    matches = match_quotes(question, records[:300], embedder, speakers, cache=cache)
    if not matches:
        return None
    chunk_ids = list(dict.fromkeys(m.record.chunk_id for m in matches[:k] if m.record.chunk_id))
    got = store.get_passages(chunk_ids, evidence.query_vector.tolist())
    passages = {cid: stored.passage for cid, stored in got.items()}
    boost(evidence, [passages[c] for c in chunk_ids if c in passages], k, max_per_article)
    return SpeakerEvidence(matches, passages)


def find_quotations(store: ArticleStore, embedder, speaker: str | None, about: str | None, limit: int,
                    filters: Filters | None, cache=None) -> list[Quote]:
    """Stored quotations: ``speaker``'s only when given; best first on ``about`` when given,
    else in date and reading order."""
    from ..nlp.quotes import speaker_matches

    records = store.find_quotes(speakers=[speaker] if speaker else None, doc_ids=filters.doc_ids if filters else None)
    if speaker:  # the store matches any word of the name; "Ann Doe" is not "Jo Doe"
        records = [r for r in records if speaker_matches(speaker, r.quote.speaker, r.quote.aliases)]
    if filters and not filters.empty:
        records = [r for r in records if filters.match(r.facts)]
    if about and about.strip():
        records = [m.record for m in match_quotes(about, records[:2000], embedder, [speaker] if speaker else [],
                                                  keep_all=True, cache=cache)]
    else:
        records.sort(key=lambda r: (r.quote.date, r.quote.doc_id, r.quote.char_start))
    return [r.quote for r in records[:limit]]
