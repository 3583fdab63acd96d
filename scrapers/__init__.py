"""Get JTAI letters into the raw store: ``python -m scrapers fetch`` (the live reports website)
or ``python -m scrapers ingest DIR`` (a folder of PDFs). See scrapers/rawstore.py for the store."""
