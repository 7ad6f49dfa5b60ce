"""Validation of the extracted raw tables (pandera), run as blocking Dagster asset checks."""
