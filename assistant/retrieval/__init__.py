"""Retrieval: hybrid (dense + keyword) search with reranking, filters, the speakers a question asks
about, and follow-up questions rewritten with the chat history. May import index, nlp and the root modules."""


def __getattr__(name: str):
    """``assistant.retrieval`` was one module (now :mod:`assistant.retrieval.hybrid`): its names still
    resolve here, for one release."""
    from . import hybrid

    return getattr(hybrid, name)
