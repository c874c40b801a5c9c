"""Answering: the extractive answerer, the LLM answerer (prompts, verification of quotes and citations),
citation folding and the bundled local model server. May import retrieval, index, nlp and the root modules."""
