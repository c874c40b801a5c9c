"""Follow-up questions: rewrite a question that leans on earlier turns into one that stands alone.

A question is rewritten only when it depends on the chat's history (:func:`is_followup`): a
pronoun with nothing in the question it can stand for ("What did he say about migration?"), a
demonstrative ("those figures"), "there"/"then" with no place or time named, a fragment with no
verb ("And in Spain?", "Why?"; not a run of nouns typed as a search), a continuation ("And ...", "What about ...") that adds nothing
after its subject ("And what did Vance say?"), a comparison with what came before ("the same",
"too", "else"), or no noun, name or number at all ("Tell me more.", "What happened next?"). The question is parsed by the spaCy pipeline that attributes quotations (loaded
once, on the first follow-up). A standalone question is used exactly as typed.

The rewrite (no model): a follow-up inherits what it leaves out from the previous question.
"And what did Vance say?" after "What did Netanyahu say about the alliance?" keeps its own person
(Vance) and inherits the topic ("alliance"); "Why are officials worried about it?" inherits the
previous question's subject for "it". The rewrite is used for retrieval and answer selection; the
user's words are kept on the Answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..nlp.lexicon import (
    ADDITIVE_ADVERBS,
    ANAPHORIC_ADVERBS,
    ANAPHORIC_PRONOUNS,
    CONTINUATION_OPENERS,
    DEMONSTRATIVES,
    QUESTION_WORDS,
    SAME_PHRASES,
    SINGULAR_PRONOUNS,
)
from ..nlp.text import SPEECH_VERBS, STOPWORDS, words

_NOUNS = ("NOUN", "PROPN")
_PLACE_OR_TIME = ("GPE", "LOC", "FAC", "DATE", "TIME", "EVENT")
_CLAUSE_DEPS = ("ROOT", "ccomp", "xcomp", "advcl", "relcl", "acl", "csubj", "pcomp", "conj")


def _clause(tok):
    """The head of the clause ``tok`` is in (the nearest verb or auxiliary heading a clause)."""
    while tok.head.i != tok.i:
        if tok.pos_ in ("VERB", "AUX") and tok.dep_ in _CLAUSE_DEPS:
            return tok
        tok = tok.head
    return tok


def _antecedent(pron) -> bool:
    """Whether a noun before the pronoun ``pron`` in the same question can be what it stands for:
    number agrees, and a non-possessive pronoun is not bound in its own clause ("What did farmers
    say about it?": "it" is not the farmers)."""
    singular = pron.lower_ in SINGULAR_PRONOUNS
    possessive = pron.tag_ == "PRP$"
    for tok in pron.doc[: pron.i]:
        if tok.pos_ not in _NOUNS:
            continue
        if singular and tok.tag_ in ("NNS", "NNPS"):
            continue
        if not possessive and _clause(tok).i == _clause(pron).i and tok.dep_ != "poss":
            continue
        return True
    return False


def _points_back(tok) -> bool:
    """A word that refers to something the question itself does not name."""
    low = tok.lower_
    if low in ANAPHORIC_PRONOUNS and (tok.pos_ == "PRON" or tok.tag_ == "PRP$"):
        if low == "it" and any(c.dep_ in ("ccomp", "xcomp", "csubj") and c.i > tok.i for c in tok.head.children):
            return False  # "Is it likely that ...": a placeholder subject
        return not _antecedent(tok)
    if low in DEMONSTRATIVES and tok.tag_ == "DT":
        return tok.ent_type_ not in ("DATE", "TIME") and not _complementizer(tok)
    if low == "there" and (tok.dep_ == "expl" or tok.head.pos_ == "AUX"):
        # "Is there a vaccine for measles?" stands alone; "How many people lived there?" asks of something unnamed
        return not any(t.dep_ == "prep" or t.pos_ == "PROPN" or t.ent_type_ for t in tok.doc)
    if low in ANAPHORIC_ADVERBS:
        return not any(t.ent_type_ in _PLACE_OR_TIME for t in tok.doc[: tok.i])
    return False


def _complementizer(tok) -> bool:
    """"that" taken for a determiner where it opens a clause ("Is it likely that rents rose?"):
    its noun is the subject of a subordinate clause."""
    noun = tok.head
    return (tok.lower_ == "that" and tok.dep_ == "det" and noun.dep_ in ("nsubj", "nsubjpass")
            and noun.head.dep_ in ("ccomp", "advcl", "acl", "relcl", "csubj"))


def _adds_to_before(doc) -> bool:
    """"the same", "as well", "who else", "did France vote too"."""
    text = " " + " ".join(t.lower_ for t in doc) + " "
    if any(f" {p} " in text for p in SAME_PHRASES):
        return True
    return any(t.lower_ in ADDITIVE_ADVERBS and t.dep_ in ("advmod", "amod") and t.i > 0 for t in doc)


def _opener(doc) -> str:
    low = " ".join(t.lower_ for t in doc)
    return next((o for o in CONTINUATION_OPENERS if low == o or low.startswith(o + " ")), "")


def _own_content(doc) -> bool:
    """Whether the question says something beyond its subject and question words: a noun, number
    or adjective outside the subject ("And what did Vance say?" says nothing more)."""
    subject = {w.i for s in doc if s.dep_ in ("nsubj", "nsubjpass") for w in s.subtree}
    return any(t.pos_ in ("NOUN", "PROPN", "NUM", "ADJ") and t.i not in subject for t in doc)


def _fragment_of_a_question(doc) -> bool:
    """No verb, and nothing to search for on its own: a continuation ("And in Spain?", "What about
    bicycles?"), a bare question word ("Why?"), a phrase opening with a preposition ("In Syria?"),
    or no noun at all. A run of nouns typed as a search ("Gaza ceasefire talks") stands alone."""
    if any(t.pos_ in ("VERB", "AUX") for t in doc):
        return False
    first = doc[0]
    return (bool(_opener(doc)) or first.pos_ == "ADP" or first.tag_ in ("WDT", "WP", "WRB")
            or not any(t.pos_ in _NOUNS for t in doc))


def depends_on_history(doc) -> bool:
    """The decision of :func:`is_followup` on a parsed question."""
    if _fragment_of_a_question(doc):
        return True
    if not any(t.pos_ in ("NOUN", "PROPN", "NUM") for t in doc):
        return True  # nothing of its own to search for: "Tell me more.", "What happened next?"
    if _opener(doc) in ("what about", "how about", "and what about"):
        return True
    if any(_points_back(t) for t in doc) or _adds_to_before(doc):
        return True
    return bool(_opener(doc)) and not _own_content(doc)


def _parse(question: str, spacy_model: str | None):
    from ..nlp.attribution import DEFAULT_MODEL, load_pipeline

    return load_pipeline(spacy_model or DEFAULT_MODEL)(question)


def is_followup(question: str, spacy_model: str | None = None) -> bool:
    """Whether ``question`` depends on the conversation before it (see the module's docstring).
    ``spacy_model``: the pipeline to parse with (None: the bundled one)."""
    return depends_on_history(_parse(question, spacy_model))


def _entities(text: str) -> list[str]:
    """Capitalised words that are not sentence-initial question words: names, places, organisations."""
    out = []
    for i, w in enumerate(words(text)):
        if w[0].isupper() and w.lower() not in QUESTION_WORDS and not (i == 0 and w.lower() in STOPWORDS):
            out.append(w)
    return out


def _topic(text: str) -> list[str]:
    ents = {e.lower() for e in _entities(text)}
    return [
        w for w in words(text)
        if w.lower() not in STOPWORDS and w.lower() not in ents and w.lower() not in QUESTION_WORDS
        and not SPEECH_VERBS.fullmatch(w) and len(w) > 2
    ]


def rewrite(question: str, history: Sequence[str], spacy_model: str | None = None) -> str:
    """The standalone form of ``question`` given earlier questions (oldest first).

    Returns ``question`` exactly as typed when there is no history or it does not depend on it
    (:func:`is_followup`). A follow-up inherits the previous question's names when it names
    none or refers back to someone ("And what did he say about Gaza?"), and its topic when it
    has none of its own or refers back.
    """
    if not history:
        return question
    doc = _parse(question, spacy_model)
    if not depends_on_history(doc):
        return question
    previous = history[-1]  # already standalone when the caller passes rewritten questions
    own_entities = _entities(question)
    refers_back = any(_points_back(t) for t in doc)
    carried: list[str] = []
    if not own_entities or refers_back:
        carried += _entities(previous)
    if not _topic(question) or not own_entities or refers_back:
        carried += _topic(previous)
    seen = {w.lower() for w in words(question)}
    extra = []
    for w in carried:
        if w.lower() not in seen:
            seen.add(w.lower())
            extra.append(w)
    if not extra:
        return question
    return f"{question.rstrip().rstrip('?')} ({' '.join(extra)})?"
