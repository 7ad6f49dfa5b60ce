"""The DuckDB warehouse: raw tables written by the extraction, read by dbt."""
