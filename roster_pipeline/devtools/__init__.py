"""Developer tools: the district generator, the next-day maker, the benchmark, docs generators."""
