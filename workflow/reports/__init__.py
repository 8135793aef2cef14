"""Reports (SPEC R-): pure aggregations over rows the repository hands in."""
