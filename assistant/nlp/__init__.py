"""Language: the one home of word lists (lexicon), sentences and terms (text), quotation marks, and
who-said-what on spaCy (attribution, quotes). May import only the root modules (config, errors, schema)."""
