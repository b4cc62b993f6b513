"""The daily sync: district settings, batch partitions, the sync asset, sensor and schedule."""
