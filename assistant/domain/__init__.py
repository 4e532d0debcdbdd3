"""Domain vocabulary every stage shares: Vietnamese text, agencies, provinces, indicators, glossary."""
