"""Storage and indexes: the Chroma store (chunks, article registry, quotations) and its migrations, the
tantivy keyword index, the embedding models and their cache. May import nlp and the root modules."""
