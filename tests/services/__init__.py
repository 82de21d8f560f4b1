"""Tests for the service layer against a real encrypted database."""
