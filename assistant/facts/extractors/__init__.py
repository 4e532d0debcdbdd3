"""One extractor per fact kind; :mod:`assistant.facts.extract` lists them in the order they run."""
