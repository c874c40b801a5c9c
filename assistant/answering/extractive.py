"""Answer step: turns retrieved passages into an :class:`Answer`. Swappable by design.

An answerer is any object with ``mode`` and ``answer(question, retrieval) -> Answer``.
:class:`ExtractiveAnswerer` works offline: it quotes, verbatim, the sentences of the
relevant passages that best answer the question, each followed by its citation marker,
and abstains when no sentence carries evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from ..nlp.sentences import paragraph_spans, sentence_spans
from ..retrieval.citations import cite_span, merge_spans
from ..retrieval.hybrid import Retrieval
from ..types import Answer, Citation, Passage
from .protocol import Answerer, StreamingAnswerer, final_answer  # noqa: F401 (Answerer: its old home)
from ..nlp.text import (
    SPEECH_IN_TEXT,
    answer_kind,
    asks_who,
    counted_noun,
    described_speaker,
    has_kind,
    speaks_in,
    content_terms,
    is_speech_question,
    key_terms,
    names_someone,
    role_noun,
    stems,
)

NO_ANSWER = "The articles don't say."


def abstention_text(speakers: list[str] | None, passages: list[Passage]) -> str:
    """"The articles don't say.", and for "what did X say" when the passages name X, that they
    mention X but not X's words on it."""
    named = [n for n in speakers or [] if any(n.split()[-1] in p.text for p in passages)]
    if named:
        return f"{NO_ANSWER} They mention {' and '.join(named)}, but not what {'they' if len(named) > 1 else named[0]} said about this."
    return NO_ANSWER


@dataclass
class _Sentence:
    passage: int  # index into the relevant passages
    start: int  # offsets within the passage text
    end: int
    text: str
    prev: str  # the sentence before it in the same paragraph, for "he said" / "the leader asserted"
    score: float = 0.0
    lexical: float = 0.0
    dense: float = 0.0


def _candidates(passages: list[Passage]) -> list[_Sentence]:
    seen: set = set()
    out: list[_Sentence] = []
    for pi, p in enumerate(passages):
        for ps, pe in paragraph_spans(p.text):
            prev = ""
            for s, e in sentence_spans(p.text, ps, pe):
                sent = p.text[s:e]
                key = " ".join(sent.split()).lower()  # overlapping chunks and duplicate wires repeat sentences
                is_heading = not sent.rstrip().endswith(tuple(".!?\"'”’")) and len(sent) < 120
                if key not in seen and not is_heading and len(sent.split()) >= 4:
                    seen.add(key)
                    out.append(_Sentence(pi, s, e, sent, prev))
                prev = sent
    return out


class ExtractiveAnswerer(StreamingAnswerer):
    """Quotes the best-supported sentences of the passages. No model beyond the embedder."""

    mode = "extractive"

    def __init__(self, embedder: Embeddings, max_sentences: int = 3, relative_cutoff: float = 0.7,
                 min_dense_without_terms: float = 0.5, max_embedded: int = 10, min_answer_score: float = 0.0) -> None:
        self.embedder = embedder
        self.min_answer_score = min_answer_score  # abstain when the best gated sentence scores lower
        self.max_sentences = max_sentences
        self.relative_cutoff = relative_cutoff
        self.min_dense_without_terms = min_dense_without_terms
        self.max_embedded = max_embedded

    def _embed(self, texts: list[str]) -> np.ndarray:
        embed_array = getattr(self.embedder, "embed_array", None)
        if embed_array is not None:
            return embed_array(texts)
        return np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)

    def score(self, question: str, retrieval: Retrieval) -> list[_Sentence]:
        """Candidate sentences of the relevant passages, scored, best first."""
        passages = retrieval.relevant
        cands = _candidates(passages)
        if not cands:
            return []
        q_terms = set(content_terms(question))
        # Inverse document frequency over the candidate sentences: rare terms decide.
        df: dict[str, int] = {}
        sent_terms = []
        for c in cands:
            terms = set(content_terms(c.text))
            sent_terms.append(terms)
            for t in terms & q_terms:
                df[t] = df.get(t, 0) + 1
        n = len(cands)
        idf = {t: math.log(1 + n / (1 + df.get(t, 0))) for t in q_terms}
        total = sum(idf.values()) or 1.0
        speech = is_speech_question(question)
        for c, terms in zip(cands, sent_terms):
            lexical = sum(idf[t] for t in q_terms & terms) / total
            prev_terms = set(content_terms(c.prev)) - terms
            context = 0.5 * sum(idf[t] for t in q_terms & prev_terms) / total
            c.lexical = lexical + context
        # Embedding sentences is the costly part (about 7 ms each on two cores): embed the best
        # passage's sentences and the lexically strongest others, at most ``max_embedded`` in all.
        # 12 rather than 24 halved an answer's time (dev p50 172 -> 99 ms) and changed no dev
        # answer of either eval set but one, which now abstains as it should; 10 changed none
        # (default dev p50 99 -> 89 ms), 8 lost one.
        order = sorted(range(len(cands)), key=lambda i: (cands[i].passage != 0, -cands[i].lexical, cands[i].passage))
        chosen = sorted(order[: self.max_embedded])
        cands = [cands[i] for i in chosen]
        vecs = self._embed([c.text for c in cands])
        dense = vecs @ retrieval.query_vector
        for c, d in zip(cands, dense):
            quote_bonus = 0.15 if speech and any(q in c.text for q in ('"', "“", "”")) else 0.0
            c.dense = float(d)
            c.score = 0.45 * c.dense + 0.45 * c.lexical + quote_bonus + 0.1 * passages[c.passage].score
        return sorted(cands, key=lambda c: c.score, reverse=True)

    def _has_evidence(self, c: _Sentence) -> bool:
        return c.lexical > 0 or c.dense >= self.min_dense_without_terms

    def evidence_gate(self, question: str, passages: list[Passage], foreign_quotes=None, speakers=None):
        """A predicate on candidate sentences: does this sentence actually answer *this* question?

        - every name and number the question mentions appears in the sentence's passage or its
          title ("the 2022 World Cup" is not answered by a 2001 Hopman Cup report);
        - "what did X say" needs speech (a quotation or a speech verb) with X in the sentence or
          the one before it ("Rubio is scheduled to visit" is not Rubio saying anything); so does
          "what did the mayor say", with the words of that description;
        - a question for a year, a date, a count or an amount needs one in the sentence
          (:func:`answer_kind`; "how many" is not answered by a percentage or a year, and
          the sentence names what is counted: :func:`counted_noun`);
        - "who…" needs a name the question does not give, and "who is the <role>" that name
          next to the role noun (:func:`names_someone`; "a local commander" unnamed is no answer);
        - ``foreign_quotes``: where the quotations (:class:`ForeignQuote`) the quote index attributes to
          someone other than the person asked about; "what did Rubio say" is not answered by
          Vance's words;
        - ``speakers``: the names a "what did X say" question asks about; the sentence must
          have X speaking (named next to a verb of speech, or "he said" after X), not merely
          mention X.
        """
        foreign = list(foreign_quotes or [])
        required = key_terms(question)
        speech = is_speech_question(question)
        described = described_speaker(question) if speech and not required else set()  # "what did the mayor say"
        kind = answer_kind(question)
        counted = counted_noun(question) if kind == "count" else ""
        who = asks_who(question)
        role = role_noun(question) if who else ""
        passage_stems = [stems(p.text) | stems(p.title) | stems(p.date) for p in passages]

        def ok(c: _Sentence) -> bool:
            if not self._has_evidence(c):
                return False
            if required and not required <= passage_stems[c.passage]:
                return False
            if speech and (required or described):
                near = stems(c.text) | stems(c.prev)
                quoted = any(q in c.text for q in ('"', "“", "”")) or bool(SPEECH_IN_TEXT.search(c.text))
                if not quoted or not (required & near or described and described <= near):
                    return False
            if kind and not has_kind(c.text, kind):
                return False
            if counted and counted not in stems(c.text):
                return False
            if who and not (names_someone(c.text, question, role) or not role and names_someone(c.prev, question)):
                return False
            if speech and speakers and not any(speaks_in(c.text, c.prev, n) for n in speakers):
                return False
            if speech and foreign:
                p = passages[c.passage]
                a, b = p.char_start + c.start, p.char_start + c.end
                if any(f.doc_id == p.doc_id and min(b, f.char_end) - max(a, f.char_start) > 0 for f in foreign):
                    return False
            return True

        return ok

    def stream(self, question: str, retrieval: Retrieval, scored: list[_Sentence] | None = None) -> Iterator[str | Answer]:
        """The answer's text in one piece (it is chosen, not written), then the :class:`Answer`."""
        answer = self._compose(question, retrieval, scored)
        yield answer.text
        yield answer

    def answer(self, question: str, retrieval: Retrieval, scored: list[_Sentence] | None = None) -> Answer:
        """:meth:`stream`'s final answer (``scored``: see :meth:`_compose`)."""
        return final_answer(self.stream(question, retrieval, scored))

    def _compose(self, question: str, retrieval: Retrieval, scored: list[_Sentence] | None = None) -> Answer:
        """For "what did X say", X's own quoted words when the quote index matched them
        (``retrieval.speech``); otherwise the best passage sentences that pass the
        evidence gate. ``scored``: the result of :meth:`score` for this question and retrieval,
        when the caller already has it (the LLM answerer scores once for its gate and reuses it
        on fallback)."""
        speech = retrieval.speech
        if speech:
            from ..retrieval.speakers import quote_answer

            got = quote_answer(question, speech.matches, speech.passages, retrieval.passages,
                               max_quotes=self.max_sentences, mode=self.mode)
            if got is not None:
                return got
        passages = retrieval.relevant
        speakers = retrieval.asked_speakers or None
        gate = self.evidence_gate(question, passages, retrieval.foreign_quotes, speakers)
        ranked = [c for c in (scored if scored is not None else self.score(question, retrieval)) if gate(c)]
        if not ranked or ranked[0].score < self.min_answer_score:
            return Answer(question=question, text=abstention_text(speakers, passages), passages=passages,
                          abstained=True, mode=self.mode)
        best = ranked[0].score
        chosen = [c for c in ranked if c.score >= self.relative_cutoff * best][: self.max_sentences]
        # Reading order: by passage rank, then position; neighbouring sentences share one citation.
        by_passage: dict[int, list[tuple[int, int]]] = {}
        for c in chosen:
            by_passage.setdefault(c.passage, []).append((c.start, c.end))
        citations: list[Citation] = []
        parts: list[str] = []
        for pi in sorted(by_passage):
            p = passages[pi]
            for s, e in merge_spans(by_passage[pi], p.text):
                cit = cite_span(len(citations) + 1, p, s, e)
                citations.append(cit)
                parts.append(f"{' '.join(cit.quote.split())} [{cit.n}]")
        return Answer(
            question=question,
            text=" ".join(parts),
            citations=citations,
            passages=passages,
            abstained=False,
            mode=self.mode,
        )
