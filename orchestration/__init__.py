"""Dagster definitions, the publish step and the `fiscal` command line."""
