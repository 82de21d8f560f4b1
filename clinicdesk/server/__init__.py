"""The HQ sync server (FastAPI): device enrolment per centre, device authentication, strict input limits."""
