"""Stored results of submitted assessments: how a result row is computed and kept current."""
