"""Phone rating (扫码评价) and receipt pages: `/m/<token>` and `/r/<code>`."""
