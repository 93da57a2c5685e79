"""Deployment files: versioned SQL migrations (package data), broker and database config."""
