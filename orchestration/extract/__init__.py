"""Extraction: recognisers that turn a document grid into raw facts, quarantined cells and issues."""
