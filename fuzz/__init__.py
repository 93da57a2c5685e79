"""Coverage-guided fuzz harnesses (atheris) for the parsers that face untrusted input."""
