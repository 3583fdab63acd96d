# JTAI Findings Explorer dashboard. Stateless: the corpus database is either built into the
# image from letters (LETTERS_DIR, a folder of PDFs + manifest.csv in the build context) or
# mounted read-only at $JTAI_DATA_DIR, so any number of replicas can share one database.
#
#   docker build --build-arg LETTERS_DIR=letters -t jtai-dashboard .
#   docker run -p 8501:8501 jtai-dashboard
#   docker run -p 8501:8501 -v /srv/jtai-data:/data:ro jtai-dashboard   # mounted corpus
#   (the LA lookup and boundaries: copy shared/reference into the context, or mount a folder
#   holding reference/ and set JTAI_SHARED_DIR to it)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    JTAI_DATA_DIR=/data STREAMLIT_BROWSER_GATHER_USAGE_STATS=false
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .

# Optional build-time corpus. The reference files (LA lookup, boundaries) are read from
# ../shared/reference (config.REFERENCE_DIR), so copy them there when present.
ARG LETTERS_DIR=""
RUN mkdir -p /data /shared/reference \
 && if [ -d shared/reference ]; then cp -r shared/reference/. /shared/reference/; fi \
 && if [ -n "$LETTERS_DIR" ]; then \
      python -m scrapers ingest "$LETTERS_DIR" && python -m analysis build; \
    fi

RUN useradd --system --uid 10001 app && chown -R app /data
USER app
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501", \
     "--server.headless", "true"]
