"""content domain: the versioned evaluation content (scoring settings, low-score reasons)."""
