"""Exports of ratings, rankings and alerts as CSV or XLSX, for the console and the CLI."""
