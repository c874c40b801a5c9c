"""Ingestion: files and web pages read into typed articles (parsers, HTML main text and page furniture),
token-aware chunks, and the pipeline that embeds and stores them under a lock.
May import: nlp, index and the root modules (config, errors, schema); never retrieval, answering or interfaces."""
