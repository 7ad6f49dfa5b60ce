"""cnbudget: Chinese public budget disclosures as a validated, versioned star-schema warehouse."""

__version__ = "0.1.0"
