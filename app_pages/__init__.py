"""Dashboard pages (one module per page) and their shared data/URL-state helpers."""
