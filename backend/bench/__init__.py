"""Benchmarks of the backend API (not tests: run by ``npm run bench`` through scripts/bench.mjs)."""
