"""The assets of the pipeline, one module per stage: sources, extraction, dbt, release."""
