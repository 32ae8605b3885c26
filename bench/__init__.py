"""Benchmarks of extraction accuracy against the hand-written expected files."""
