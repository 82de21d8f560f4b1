"""Consultation-room speech: Whisper model files, on-device transcription and the live streaming pipeline."""
