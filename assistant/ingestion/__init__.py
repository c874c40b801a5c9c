"""Ingestion: files and web pages read into typed articles (parsers, HTML main text and page furniture),
token-aware chunks, the pipeline that embeds and stores them, and the service that runs it under a lock.
May import: nlp, index and the root modules (config, errors, types); never retrieval, answering or interfaces."""
