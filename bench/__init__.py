"""Benchmarks: run with ``./dev bench [name]``. They print numbers; they are not tests."""
